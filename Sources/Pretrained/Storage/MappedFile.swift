internal import CSupport

/// A whole file mapped into memory, unmapped exactly once when the last reference goes away.
///
/// The mapping is private and copy-on-write (`mmap(2)` with `MAP_PRIVATE`, read and write
/// protection): writing through a view changes this process's copy of the page and never the
/// file. Tensors that view the mapping hold a reference to it, so it outlives them all.
///
/// ```swift
/// let file = try MappedFile(path: "model.safetensors")
/// let prefix = file.bytes.prefix(8)
/// ```
///
/// - Important: if another process truncates the file while it is mapped, touching the lost
///   pages raises `SIGBUS`. Loaders that cannot trust the file's stability should check the size
///   again before exposing views (`isIntact`) or use the `pread` backend.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The mapped bytes (empty for an empty file, which is not mapped at all).
    public let bytes: UnsafeMutableRawBufferPointer
    let descriptor: FileDescriptor

    /// Maps the file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file to map.
    ///   - populate: pre-fault every page while mapping (`MAP_POPULATE`), useful when all of it
    ///     will be read.
    /// - Throws: `PretrainedError.io` naming the failing call.
    public init(path: String, populate: Bool = false) throws(PretrainedError) {
        let descriptor = try FileDescriptor(readingFrom: path)
        let size = try descriptor.size()
        self.path = path
        self.descriptor = descriptor
        guard size > 0 else {
            self.bytes = UnsafeMutableRawBufferPointer(start: nil, count: 0)
            return
        }
        var base: UnsafeMutableRawPointer?
        try check(csupport_map(descriptor.raw, size, populate ? 1 : 0, &base), file: path, "mmap of \(size) bytes")
        self.bytes = UnsafeMutableRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            _ = csupport_unmap(base, bytes.count)
        }
    }

    /// Whether the file on disk still has at least the mapped size (a shrunken file would fault
    /// on access to its lost pages).
    public var isIntact: Bool {
        (try? descriptor.size()).map { $0 >= bytes.count } ?? false
    }

    /// Advises the kernel about `range` of the mapping (`madvise(2)`), widened to whole pages.
    /// Advice is a hint: failures are ignored.
    public func advise(_ advice: Advice, range: Range<Int>? = nil) {
        guard let base = bytes.baseAddress else { return }
        let range = range ?? 0..<bytes.count
        let start = range.lowerBound / pageSize * pageSize
        let end = min(bytes.count, range.upperBound)
        guard end > start else { return }
        _ = csupport_madvise(base + start, end - start, advice.cValue)
    }

    /// Advises the kernel's page cache about the file itself (`posix_fadvise(2)`), for example
    /// `.dontNeed` to evict it. Advice is a hint: failures are ignored.
    public func adviseFile(_ advice: Advice) {
        descriptor.advise(advice)
    }
}
