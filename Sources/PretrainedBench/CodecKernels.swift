import CSupport
import Foundation

/// The codec limits: libzstd and liblz4 alone, decoding whole shard files into fresh memory on
/// one thread, and the stock command-line tools decoding to a discarded stream.
enum CodecKernels {
    /// Decodes each compressed file into fresh memory of its plain size; returns decoded bytes.
    static func decodeIntoFreshMemory(_ files: [String], plainSizes: [Int], codec: String) throws -> Int {
        var total = 0
        for (path, size) in zip(files, plainSizes) {
            let source = try Kernels.Mapping(path: path)
            defer { source.unmap() }
            let destination = try Kernels.freshMemory(size, hugePages: false)
            defer { munmap(destination, size) }
            var context: UnsafeMutableRawPointer?
            let created = codec == "zstd" ? csupport_zstd_dctx_create(&context) : csupport_lz4_dctx_create(&context)
            guard created == 0, let context else { throw BenchError("cannot create a \(codec) context") }
            defer { codec == "zstd" ? csupport_zstd_dctx_free(context) : csupport_lz4_dctx_free(context) }
            var written = 0
            var read = 0
            var done: Int32 = 0
            while read < source.size {
                let before = (written, read)
                let status = codec == "zstd"
                    ? csupport_zstd_decompress(context, destination, size, &written, source.base, source.size, &read, &done)
                    : csupport_lz4_decompress(context, destination, size, &written, source.base, source.size, &read, &done)
                guard status == 0 else { throw BenchError("\(codec) decode of \(path) failed: \(status)") }
                if (written, read) == before { break }
            }
            guard written == size else { throw BenchError("\(path) decoded to \(written) bytes, expected \(size)") }
            total += written
        }
        return total
    }

    /// Runs a stock tool (`zstd -d -c`, `lz4 -d -c`, `pzstd -d -c -p 2`) on each file, output
    /// discarded; returns the plain bytes. Throws when the tool is missing.
    static func stockTool(_ arguments: [String], files: [String], plainBytes: Int) throws -> Int {
        for file in files {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments + [file]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw BenchError("\(arguments[0]) failed on \(file)") }
        }
        return plainBytes
    }
}
