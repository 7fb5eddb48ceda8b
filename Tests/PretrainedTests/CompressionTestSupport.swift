import Foundation
import Testing

@testable import Pretrained

/// Plain and compressed sample shards for the compression tests.
enum CompressionSamples {
    /// Tensors of many dtypes and sizes (a zero-sized one and a scalar included), `scale`
    /// elements per row, with seeded random bytes.
    static func tensors(scale: Int = 64, seed: UInt64 = 7) throws -> [Tensor] {
        var seed = seed
        var tensors: [Tensor] = []
        for dtype in [DType.f32, .bf16, .f16, .i64, .u8, .bool, .f64, .f8e4m3, .f4, .f6e2m3] {
            tensors.append(try .random("\(dtype.rawValue).matrix", dtype, [5, scale * 4], seed: &seed))
        }
        tensors.append(try .random("F32.empty", .f32, [0, 3], seed: &seed))
        tensors.append(try .random("I32.scalar", .i32, [], seed: &seed))
        tensors.append(try .random("F32.large", .f32, [scale, 97], seed: &seed))
        return tensors
    }

    /// Writes `tensors` as a plain shard `name` in `directory` and returns its path.
    static func plainShard(
        _ tensors: [Tensor], in directory: TemporaryDirectory,
        name: String = "model.safetensors"
    ) throws -> String {
        let path = directory.file(name)
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: path)
        return path
    }

    /// Compresses the plain shard at `plain` next to it (adding the codec's extension).
    @discardableResult
    static func compress(
        _ plain: String, _ compression: ShardCompression, level: Int? = nil, frameSize: Int,
        to destination: String? = nil
    ) throws -> String {
        let path = destination ?? plain + compression.fileExtensions[0]
        let options = CompressedShardWriter.Options(compression: compression, level: level, frameSize: frameSize)
        try CompressedShardWriter.write(shardAt: plain, to: path, options: options)
        return path
    }

    /// Checks that `decoded` are `originals` (any order), byte for byte.
    static func expectSame(
        _ decoded: [Tensor], _ originals: [Tensor], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(decoded.map(\.name).sorted() == originals.map(\.name).sorted(), sourceLocation: sourceLocation)
        let byName = Dictionary(uniqueKeysWithValues: decoded.map { ($0.name, $0) })
        for original in originals {
            let tensor = byName[original.name]
            #expect(tensor?.dtype == original.dtype, sourceLocation: sourceLocation)
            #expect(tensor?.shape == original.shape, sourceLocation: sourceLocation)
            #expect(tensor?.bytes == original.bytes, "bytes of \(original.name)", sourceLocation: sourceLocation)
        }
    }

    /// The bytes of the file at `path`.
    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// The stock `zstd`, `pzstd` and `lz4` command-line tools, when installed.
enum StockTool {
    /// The path of `name` on `PATH`, if any.
    static func path(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func available(_ name: String) -> Bool { path(name) != nil }

    /// Runs a shell command line (for pipes into the tools); fails the test when it fails.
    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(command): \(String(decoding: message, as: UTF8.self))")
    }
}

/// A sink that delivers some tensors into buffers, some in chunks and drops others, recording
/// every chunk so tests can check the chunk contract.
final class RecordingSink: TensorSink, @unchecked Sendable {
    private let lock = NSLock()
    private let choose: (TensorInfo) -> String
    private var buffers: [String: TensorStorage] = [:]
    private var chunked: [String: [UInt8]] = [:]
    private(set) var chunks: [(tensor: String, offset: Int, count: Int)] = []

    /// `choose` returns "buffer", "chunks" or "discard" for each tensor.
    init(_ choose: @escaping (TensorInfo) -> String) {
        self.choose = choose
    }

    func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination {
        switch choose(info) {
        case "buffer":
            let storage = TensorStorage(uninitializedByteCount: info.byteCount)
            lock.withLock { buffers[info.name] = storage }
            return .buffer(storage.bytes)
        case "chunks":
            lock.withLock { chunked[info.name] = [UInt8](repeating: 0, count: info.byteCount) }
            return .chunks
        default:
            return .discard
        }
    }

    func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
        lock.withLock {
            chunks.append((info.name, offset, chunk.count))
            chunked[info.name]?.replaceSubrange(offset..<(offset + chunk.count), with: chunk)
        }
    }

    /// The bytes received for `name` (through a buffer or chunks), or `nil` when discarded.
    func bytes(of name: String) -> [UInt8]? {
        lock.withLock { buffers[name].map { Array($0.bytes) } ?? chunked[name] }
    }
}
