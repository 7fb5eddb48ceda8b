import Foundation
import Pretrained

/// One measured thing: a limit kernel or one of our loads.
struct BenchCase: Sendable {
    /// Short name, used to run it in a child process.
    var name: String
    /// What it measures, for the table.
    var title: String
    /// The limit it is compared with (a kernel's name), if any.
    var limit: String?
    /// Runs once and returns the bytes it moved (the seconds are measured around it).
    var run: @Sendable (BenchContext) throws -> Int
    /// Work done before the clock starts (eviction), not timed.
    var setUp: @Sendable (BenchContext) throws -> Void = { _ in }
}

/// What a case runs against.
struct BenchContext {
    var checkpoint: BenchCheckpoint
    var shards: [String]
    var headerOnlyCheckpoint: String
    var cliPath: String
    /// Keeps loaded models alive until the child measures its memory.
    var keepAlive: (Any) -> Void
}

enum BenchCases {
    static let all: [BenchCase] = [
        BenchCase(name: "read", title: "limit: read shards through the page cache", run: { try Kernels.readThrough($0.shards) }),
        BenchCase(name: "memcpy", title: "limit: mmap + memcpy into fresh memory", run: { try Kernels.mmapMemcpy($0.shards) }),
        BenchCase(name: "memcpy-huge", title: "limit: mmap + memcpy into fresh huge pages",
                  run: { try Kernels.mmapMemcpy($0.shards, hugePages: true) }),
        BenchCase(name: "widen", title: "limit: mmap + widen bf16 into fresh F32 memory", run: { try Kernels.mmapWiden($0.shards) }),
        BenchCase(name: "read-fresh", title: "limit: read() into fresh memory", run: { try Kernels.readIntoFreshMemory($0.shards) }),
        BenchCase(name: "cold-read", title: "limit: cold read() into fresh memory (after eviction)",
                  run: { try Kernels.readIntoFreshMemory($0.shards) }, setUp: { try evictOrFail($0.shards) }),

        BenchCase(name: "load", title: "load: zero-copy default", run: { try load($0, LoadOptions()) }),
        BenchCase(name: "load-copy", title: "load: --copy", limit: "memcpy", run: { try load($0, LoadOptions(copy: true)) }),
        BenchCase(name: "load-f32", title: "load: bf16 -> F32", limit: "widen",
                  run: { try load($0, LoadOptions(dtype: .fixed(.f32))) }),
        BenchCase(name: "load-pread", title: "load: pread backend", limit: "read-fresh",
                  run: { try load($0, LoadOptions(backend: .pread)) }),
        BenchCase(name: "load-cold", title: "load: --copy, cold (after eviction)", limit: "cold-read",
                  run: { try load($0, LoadOptions(copy: true)) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "inspect-100k", title: "inspect: headers of 100,000 tensors", run: { context in
            let headers = try CheckpointHeaders.read(Checkpoint.resolve(context.headerOnlyCheckpoint))
            return headers.entries.reduce(0) { $0 + $1.header.headerLength }
        }),
        BenchCase(name: "process-load", title: "whole process: pretrained load", run: { context in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: context.cliPath)
            process.arguments = ["load", context.checkpoint.directory, "--json"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw BenchError("pretrained load exited \(process.terminationStatus)") }
            return try context.shards.reduce(0) { $0 + (try fileSize($1)) }
        }),
    ]

    static func load(_ context: BenchContext, _ options: LoadOptions) throws -> Int {
        let model = try Pretrained.load(pretrained: context.checkpoint.directory, options: options)
        context.keepAlive(model)
        return model.parameters.reduce(0) { $0 + ($1.dtype == .f32 ? $1.byteCount / 2 : $1.byteCount) }
    }

    static func evictOrFail(_ shards: [String]) throws {
        let resident = try Kernels.evict(shards)
        if resident > 0.01 { throw BenchError("eviction left \(Int(resident * 100))% of the pages resident") }
    }

    static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// A checkpoint of 100,000 tiny tensors, for header parsing (created once).
    static func prepareHeaderOnlyCheckpoint(in directory: String) throws -> String {
        let path = directory + "/headers-100k.safetensors"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let storage = TensorStorage(uninitializedByteCount: 0)
        let tensors = try (0..<100_000).map { i in
            try Tensor(name: "model.layers.\(i / 100).block.\(i % 100).weight", dtype: .f32, shape: [0], storage: storage)
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: path)
        return path
    }
}
