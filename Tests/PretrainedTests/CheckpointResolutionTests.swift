import Foundation
import Testing
@testable import Pretrained

@Suite struct CheckpointResolutionTests {
    func sampleTensors(count: Int = 6) throws -> [Tensor] {
        var seed: UInt64 = 11
        return try (0..<count).map { try .random("layer.\($0).weight", .f32, [4, 4], seed: &seed) }
    }

    @Test func shardedWriterSplitsAndIndexesLikeTransformers() throws {
        let directory = try TemporaryDirectory()
        let tensors = try sampleTensors()
        let result = try ShardedCheckpointWriter.write(tensors, maxShardBytes: 150, to: directory.path)
        #expect(result.shards == ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                                  "model-00003-of-00003.safetensors"])
        #expect(result.index == "model.safetensors.index.json")
        #expect(result.totalSize == 6 * 64)

        let index = try Fixtures.jsonFile(directory.file("model.safetensors.index.json"))
        #expect(index["metadata"]?["total_size"] == .int(384))
        #expect(index["weight_map"]?["layer.5.weight"] == "model-00003-of-00003.safetensors")

        let checkpoint = try Checkpoint.resolve(directory.path)
        #expect(checkpoint.shards.map(\.name) == result.shards)
        let headers = try OpenedCheckpoint.open(checkpoint)
        #expect(headers.tensorsByName.map(\.info.name) == tensors.map(\.name).sorted())
        #expect(headers.totalBytes == 384)
        for (info, shard) in headers.tensorsByName {
            let original = tensors.first { $0.name == info.name }!
            #expect(try SafetensorsFile(path: shard.path).tensor(named: info.name).bytes == original.bytes)
        }
        // The index path itself resolves to the same checkpoint.
        #expect(try Checkpoint.resolve(directory.file("model.safetensors.index.json")).shards == checkpoint.shards)
    }

    @Test func aCheckpointThatFitsInOneShardIsASingleFile() throws {
        let directory = try TemporaryDirectory()
        let result = try ShardedCheckpointWriter.write(try sampleTensors(), maxShardBytes: 1 << 20, to: directory.path)
        #expect(result.shards == ["model.safetensors"])
        #expect(result.index == nil)
        #expect(try Checkpoint.resolve(directory.path).shards.map(\.name) == ["model.safetensors"])
    }

    @Test func onlyTheShardsTheIndexNamesAreUsed() throws {
        let directory = try TemporaryDirectory()
        try ShardedCheckpointWriter.write(try sampleTensors(), maxShardBytes: 150, to: directory.path)
        try SafetensorsWriter.write(try sampleTensors(count: 1), to: directory.file("stray.safetensors"))
        let checkpoint = try Checkpoint.resolve(directory.path)
        #expect(!checkpoint.shards.map(\.name).contains("stray.safetensors"))
        #expect(try OpenedCheckpoint.open(checkpoint).tensorsByName.count == 6)
    }

    func writeIndex(_ weightMap: [String: String], in directory: TemporaryDirectory) throws -> String {
        let entries = weightMap.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.string($0.value)) }
        let index = JSONValue.object([(key: "metadata", value: .object([])), (key: "weight_map", value: .object(entries))])
        return try directory.write("model.safetensors.index.json", text: index.serialized())
    }

    @Test func indexNamingAMissingShardIsAnError() throws {
        let directory = try TemporaryDirectory()
        let index = try writeIndex(["a": "model-00001-of-00002.safetensors"], in: directory)
        #expect(throws: PretrainedError.missingShard(file: index, shard: "model-00001-of-00002.safetensors")) {
            try Checkpoint.resolve(directory.path)
        }
    }

    @Test(arguments: ["../outside.safetensors", "/etc/passwd", "sub/../../x.safetensors"])
    func indexNamingAShardOutsideTheFolderIsRejected(shard: String) throws {
        let directory = try TemporaryDirectory()
        let index = try writeIndex(["a": shard], in: directory)
        #expect(throws: PretrainedError.shardOutsideCheckpoint(file: index, shard: shard)) {
            try Checkpoint.resolve(directory.path)
        }
    }

    @Test func symlinkEscapingTheFolderIsRejected() throws {
        let outside = try TemporaryDirectory()
        let target = outside.file("secret.safetensors")
        try SafetensorsWriter.write(try sampleTensors(count: 1), to: target)
        let directory = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: directory.file("link.safetensors"), withDestinationPath: target)
        let index = try writeIndex(["layer.0.weight": "link.safetensors"], in: directory)
        #expect(throws: PretrainedError.shardOutsideCheckpoint(file: index, shard: "link.safetensors")) {
            try Checkpoint.resolve(directory.path)
        }
    }

    @Test func tensorAbsentFromItsShardIsAnError() throws {
        let directory = try TemporaryDirectory()
        try SafetensorsWriter.write(try sampleTensors(count: 2), to: directory.file("a.safetensors"))
        let index = try writeIndex(["layer.0.weight": "a.safetensors", "ghost": "a.safetensors"], in: directory)
        #expect(throws: PretrainedError.tensorNotInShard(file: index, tensor: "ghost", shard: "a.safetensors")) {
            try OpenedCheckpoint.open(Checkpoint.resolve(directory.path))
        }
    }

    @Test func tensorInTwoShardsIsAnError() throws {
        let directory = try TemporaryDirectory()
        try SafetensorsWriter.write(try sampleTensors(count: 2), to: directory.file("a.safetensors"))
        try SafetensorsWriter.write(try sampleTensors(count: 1), to: directory.file("b.safetensors"))
        _ = try writeIndex(["layer.0.weight": "a.safetensors", "layer.1.weight": "b.safetensors"], in: directory)
        #expect(throws: PretrainedError.tensorInTwoShards(tensor: "layer.0.weight", first: "a.safetensors", second: "b.safetensors")) {
            try OpenedCheckpoint.open(Checkpoint.resolve(directory.path))
        }
    }

    @Test func malformedIndexesAreRejected() throws {
        let directory = try TemporaryDirectory()
        for (text, reason) in [("[]", "not a JSON object"), (#"{"metadata":{}}"#, "no 'weight_map' object"),
                               (#"{"weight_map":{"a":1}}"#, "the shard of tensor 'a' is not a string"),
                               (#"{"weight_map":{"a":"x","a":"y"}}"#, "tensor 'a' appears more than once in 'weight_map'")] {
            let index = try directory.write("model.safetensors.index.json", text: text)
            #expect(throws: PretrainedError.invalidIndex(file: index, reason: reason)) { try Checkpoint.resolve(directory.path) }
        }
    }

    @Test func folderWithoutCheckpointIsAnError() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: PretrainedError.self) { try Checkpoint.resolve(directory.path) }
        #expect(throws: PretrainedError.self) { try Checkpoint.resolve(directory.file("nope")) }
    }

    /// Other weight formats get a message that says what they are, in a folder or named directly.
    @Test(arguments: [
        ("pytorch_model.bin", "PyTorch pickle weights"), ("model.pt", "PyTorch pickle weights"),
        ("pytorch_model.bin.index.json", "PyTorch pickle weights"), ("model-q4_k_m.gguf", "GGUF"),
        ("tf_model.h5", "TensorFlow"), ("flax_model.msgpack", "Flax"), ("model.onnx", "ONNX"),
    ])
    func otherWeightFormatsAreNamed(file: String, says: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(file, bytes: [0x80, 0x02, 0x7D])
        for source in [directory.path, path] {
            do {
                _ = try Checkpoint.resolve(source)
                Issue.record("\(source) resolved")
            } catch {
                #expect(error.description.contains(says), "\(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
