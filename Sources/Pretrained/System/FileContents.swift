#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading small whole files (configs, index JSON) with a size limit.
enum FileContents {
    /// The largest JSON side file read (index, config): 256 MiB, far above any real one.
    static let maximumJSONSize = 256 << 20

    /// The bytes of the file at `path`.
    ///
    /// - Throws: `PretrainedError.io` when it cannot be read, is larger than `limit`, or its
    ///   memory cannot be had (`ENOMEM`).
    static func read(path: String, limit: Int) throws(PretrainedError) -> OwnedBytes {
        let descriptor = try FileDescriptor(readingFrom: path)
        let size = try descriptor.size()
        guard size <= limit else {
            throw .io(file: path, operation: "reading a \(size)-byte file (limit \(limit) bytes)", errno: EFBIG)
        }
        let bytes = try OwnedBytes(count: size, file: path, purpose: "its contents")
        try descriptor.read(into: bytes.bytes, at: 0)
        return bytes
    }
}
