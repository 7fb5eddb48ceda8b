internal import CSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// If another process truncates the file while it is mapped, touching a lost page would raise
/// `SIGBUS` and kill the process. Every mapping is registered with a fault guard instead: the
/// lost pages, from the first one touched to the end of the mapping, read as zeros, and
/// `isIntact` turns false. Views of a damaged mapping hold zeros where the file's bytes were, so
/// check `isIntact` (or `PretrainedModel.checkIntact()`) before trusting them after a long
/// time, or use the `pread` backend or a copying load, which own their bytes. A `SIGBUS` handler
/// that the host installs after the first mapping must chain to the one before it (as crash
/// reporters do) for the guard to see these faults.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The mapped bytes (empty for an empty file, which is not mapped at all).
    public let bytes: UnsafeMutableRawBufferPointer
    let descriptor: FileDescriptor
    /// The mapping's slot in the fault guard (-1 when nothing is mapped).
    private let guardSlot: Int32

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
            self.guardSlot = -1
            return
        }
        var base: UnsafeMutableRawPointer?
        try check(csupport_map(descriptor.raw, size, populate ? 1 : 0, &base), file: path, "mmap of \(size) bytes")
        guard let base else { throw .io(file: path, operation: "mmap of \(size) bytes", errno: EINVAL) }
        var slot: Int32 = -1
        let registered = csupport_guard_register(base, size, &slot)
        guard registered == 0 else {
            _ = csupport_unmap(base, size)
            throw .io(file: path, operation: "registering the mapping with the fault guard", errno: registered)
        }
        self.bytes = UnsafeMutableRawBufferPointer(start: base, count: size)
        self.guardSlot = slot
    }

    deinit {
        if let base = bytes.baseAddress {
            _ = csupport_guard_unregister(guardSlot)
            _ = csupport_unmap(base, bytes.count)
        }
    }

    /// Whether every mapped byte is still the file's: false once the file on disk is smaller
    /// than the mapping, or once the fault guard has replaced lost pages with zeros.
    public var isIntact: Bool {
        guard guardSlot < 0 || csupport_guard_damaged(guardSlot) == 0 else { return false }
        return (try? descriptor.size()).map { $0 >= bytes.count } ?? false
    }

    /// Advises the kernel about `range` of the mapping (`madvise(2)`), widened to whole pages.
    /// Advice is a hint: failures are ignored.
    package func advise(_ advice: Advice, range: Range<Int>? = nil) {
        guard let base = bytes.baseAddress else { return }
        let range = range ?? 0..<bytes.count
        let start = range.lowerBound / pageSize * pageSize
        let end = min(bytes.count, range.upperBound)
        guard end > start else { return }
        _ = csupport_madvise(base + start, end - start, advice.cValue)
    }

    /// Brings `range` of the mapping into memory now, reading it from the file where it is not in
    /// the page cache (`MADV_POPULATE_READ`; on systems without it, one read of each page).
    ///
    /// - Returns: false when the file no longer covers the range (it was truncated): nothing past
    ///   that point is touched.
    package func populate(_ range: Range<Int>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let start = range.lowerBound / pageSize * pageSize
        let end = min(bytes.count, range.upperBound)
        guard end > start else { return true }
        switch csupport_madvise(base + start, end - start, Advice.populateRead.cValue) {
        case 0:
            return true
        case EINVAL, ENOTSUP:
            guard isIntact else { return false }
            csupport_touch_pages(base + start, end - start, pageSize)
            return true
        default:
            return false
        }
    }

    /// Advises the kernel's page cache about the file itself (`posix_fadvise(2)`), for example
    /// `.dontNeed` to evict it. Advice is a hint: failures are ignored.
    package func adviseFile(_ advice: Advice) {
        descriptor.advise(advice)
    }
}
