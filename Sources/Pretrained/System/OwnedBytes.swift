#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffer this process owns whose size comes from a file (a header, a config, an index, a
/// decoding table): allocated failably, so that a size the system cannot back is a typed error
/// instead of a trap, and freed with the object.
///
/// ```swift
/// let json = try OwnedBytes(count: length, file: path, purpose: "the header")
/// try descriptor.read(into: json.bytes, at: 8)
/// ```
final class OwnedBytes {
    /// The bytes, uninitialized when allocated.
    let bytes: UnsafeMutableRawBufferPointer

    /// Fresh uninitialized memory of `count` bytes, aligned to `alignment`.
    ///
    /// - Parameters:
    ///   - file: the file whose contents asked for the memory, named by the error.
    ///   - purpose: what the memory is for, as the error says it ("the header").
    /// - Throws: `PretrainedError.io` with `ENOMEM` naming `file` and `purpose` when the memory
    ///   cannot be had.
    init(count: Int, alignment: Int = 16, file: String, purpose: String) throws(PretrainedError) {
        guard let bytes = OwnedBytes.allocate(count, alignment: alignment) else {
            throw .io(file: file, operation: "allocating \(count) bytes for \(purpose)", errno: ENOMEM)
        }
        self.bytes = bytes
    }

    deinit { free(bytes.baseAddress) }

    /// The bytes, read-only.
    var readOnly: UnsafeRawBufferPointer { UnsafeRawBufferPointer(bytes) }

    /// `count` bytes of heap memory aligned to `alignment` (a power of two, at least a pointer's
    /// size), to be released with `free`; `nil` when the count is negative or the memory cannot
    /// be had. The one failable heap allocation of the library (`TensorStorage` uses it too).
    /// The corresponding C call is `posix_memalign`.
    static func allocate(_ count: Int, alignment: Int) -> UnsafeMutableRawBufferPointer? {
        var base: UnsafeMutableRawPointer?
        guard count >= 0, posix_memalign(&base, alignment, max(count, 1)) == 0, let base else { return nil }
        return UnsafeMutableRawBufferPointer(start: base, count: count)
    }
}
