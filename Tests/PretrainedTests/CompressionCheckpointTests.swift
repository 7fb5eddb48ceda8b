import Foundation
import Testing

@testable import Pretrained

/// Checkpoints with compressed shards: resolution, headers, and `CheckpointCompressor`.
@Suite struct CompressionCheckpointTests {
    /// A sharded plain checkpoint in `directory` with a config, and its tensors.
    func shardedCheckpoint(in directory: TemporaryDirectory) throws -> [Tensor] {
        var seed: UInt64 = 3
        let tensors = try (0..<6).map { try Tensor.random("layer.\($0).weight", .bf16, [16, 9], seed: &seed) }
        try ShardedCheckpointWriter.write(tensors, maxShardBytes: 700, to: directory.path)
        try directory.write("config.json", text: #"{"model_type": "test"}"#)
        return tensors
    }

    @Test(arguments: [ShardCompression.zstd, .lz4])
    func compressorWritesShardsIndexAndConfigThatResolve(compression: ShardCompression) throws {
        let source = try TemporaryDirectory()
        let tensors = try shardedCheckpoint(in: source)
        let output = try TemporaryDirectory()
        let checkpoint = try Checkpoint.resolve(source.path)
        let result = try CheckpointCompressor.compress(
            checkpoint, to: output.path, options: .init(compression: compression, frameSize: 100))
        let suffix = compression.fileExtensions[0]
        #expect(result.verified)
        #expect(result.index == Checkpoint.indexFileName)
        #expect(result.copied == ["config.json"])
        #expect(result.shards.map(\.compressedName) == checkpoint.shards.map { $0.name + suffix })
        #expect(result.shards.allSatisfy { $0.written.frames > 1 })

        let index = try Fixtures.jsonFile(output.file(Checkpoint.indexFileName))
        #expect(index["metadata"] == checkpoint.index?.metadata)
        #expect(index["weight_map"]?["layer.0.weight"] == .string(checkpoint.shards[0].name + suffix))

        let compressed = try Checkpoint.resolve(output.path)
        #expect(compressed.configPath != nil)
        #expect(compressed.shards.allSatisfy { $0.compression == compression })
        let headers = try OpenedCheckpoint.open(compressed)
        #expect(headers.tensorsByName.map(\.info.name) == tensors.map(\.name).sorted())
        var decoded: [Tensor] = []
        for entry in headers.shards {
            let reader = try #require(entry.compressed)
            let size = try FileManager.default.attributesOfItem(atPath: entry.shard.path)[.size] as? Int
            #expect(entry.fileSize == size)
            decoded += try reader.tensors()
        }
        CompressionSamples.expectSame(decoded, tensors)
        // The original is untouched.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: source.path).allSatisfy { !$0.hasSuffix(suffix) })
    }

    @Test func anIndexNamingPlainShardsFindsTheirCompressedFilesAndTheReverse() throws {
        let source = try TemporaryDirectory()
        let tensors = try shardedCheckpoint(in: source)
        let checkpoint = try Checkpoint.resolve(source.path)
        let output = try TemporaryDirectory()
        _ = try CheckpointCompressor.compress(
            checkpoint, to: output.path, options: .init(compression: .zstd, frameSize: 64))
        // The original index (plain names) beside only compressed shards.
        try FileManager.default.removeItem(atPath: output.file(Checkpoint.indexFileName))
        try FileManager.default.copyItem(
            atPath: source.file(Checkpoint.indexFileName), toPath: output.file(Checkpoint.indexFileName))
        let resolved = try Checkpoint.resolve(output.path)
        #expect(resolved.shards.map(\.name) == checkpoint.shards.map(\.name))
        #expect(resolved.shards.map(\.path) == checkpoint.shards.map { output.file($0.name + ".zst") })
        #expect(resolved.shards.allSatisfy { $0.compression == .zstd })
        let headers = try OpenedCheckpoint.open(resolved)
        CompressionSamples.expectSame(
            try headers.shards.flatMap { try #require($0.compressed).tensors() }, tensors)

        // An index naming compressed shards beside plain files only uses the plain files.
        let compressedIndex = try Data(
            contentsOf: URL(
                fileURLWithPath: try #require(
                    try CheckpointCompressor.compress(checkpoint, to: output.path + "-again", options: .init())
                        .index
                        .map { output.path + "-again/" + $0 })))
        defer { try? FileManager.default.removeItem(atPath: output.path + "-again") }
        try compressedIndex.write(to: URL(fileURLWithPath: source.file(Checkpoint.indexFileName)))
        let plain = try Checkpoint.resolve(source.path)
        #expect(plain.shards.map(\.name) == checkpoint.shards.map { $0.name + ".zst" })
        #expect(plain.shards.map(\.path) == checkpoint.shards.map(\.path))
        #expect(plain.shards.allSatisfy { $0.compression == .none })
        #expect(try OpenedCheckpoint.open(plain).totalBytes == tensors.reduce(0) { $0 + $1.byteCount })
    }

    @Test(arguments: [
        "model.safetensors.zst", "model.safetensors.zstd", "model.safetensors.lz4", "weights.safetensors.zst",
    ])
    func aFolderWithOneCompressedFileResolvesToIt(name: String) throws {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors(scale: 4)
        let plain = try CompressionSamples.plainShard(tensors, in: directory, name: "plain.tmp")
        try CompressionSamples.compress(
            plain, ShardCompression(fileName: name), frameSize: 512, to: directory.file(name))
        try FileManager.default.removeItem(atPath: plain)
        let checkpoint = try Checkpoint.resolve(directory.path)
        #expect(
            checkpoint.shards == [
                Shard(name: name, path: directory.file(name), compression: ShardCompression(fileName: name))
            ])
        let entry = try #require(try OpenedCheckpoint.open(checkpoint).shards.first)
        CompressionSamples.expectSame(try #require(entry.compressed).tensors(), tensors)
    }

    @Test func aPlainShardIsPreferredToItsCompressedTwin() throws {
        let directory = try TemporaryDirectory()
        let plain = try CompressionSamples.plainShard(try CompressionSamples.tensors(scale: 2), in: directory)
        try CompressionSamples.compress(plain, .zstd, frameSize: 512)
        #expect(try Checkpoint.resolve(directory.path).shards == [Shard(name: "model.safetensors", path: plain)])
    }

    @Test func theOutputFolderMustDifferFromTheCheckpoint() throws {
        let directory = try TemporaryDirectory()
        _ = try shardedCheckpoint(in: directory)
        let checkpoint = try Checkpoint.resolve(directory.path)
        #expect(
            throws: PretrainedError.invalidCompressionOptions(
                reason: "the output folder \(directory.path) is the checkpoint's own folder")
        ) {
            try CheckpointCompressor.compress(checkpoint, to: directory.path, options: .init())
        }
        #expect(
            CheckpointCompressor.defaultDirectory(for: checkpoint, compression: .lz4)
                == (FileSystem.canonicalPath(directory.path) ?? "") + "-lz4")
    }
}
