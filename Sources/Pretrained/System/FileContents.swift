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
    /// - Throws: `PretrainedError.io` when it cannot be read or is larger than `limit`.
    static func read(path: String, limit: Int) throws(PretrainedError) -> [UInt8] {
        let descriptor = try FileDescriptor(readingFrom: path)
        let size = try descriptor.size()
        guard size <= limit else {
            throw .io(file: path, operation: "reading a \(size)-byte file (limit \(limit) bytes)", errno: EFBIG)
        }
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withMutableBytes { (buffer) throws(PretrainedError) in try descriptor.read(into: buffer, at: 0) }
        return bytes
    }
}
