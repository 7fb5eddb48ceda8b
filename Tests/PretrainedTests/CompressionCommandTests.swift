import Foundation
import Testing

@testable import Pretrained

/// `pretrained compress` and `pretrained inspect` on compressed checkpoints, run as the real
/// executable.
@Suite struct CompressionCommandTests {
    /// A copy of a fixture checkpoint in a fresh folder (so default output folders land there).
    func copyOfFixture(_ name: String) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        return (directory, try directory.copy(fixture: name, as: Path.lastComponent(of: name)))
    }

    @Test(arguments: ["zstd", "lz4"])
    func compressWritesAVerifiedCopyThatInspectsLikeTheOriginal(codec: String) throws {
        let (directory, source) = try copyOfFixture("models/GPT2LMHeadModel")
        let before = try FileManager.default.contentsOfDirectory(atPath: source).sorted()
        let result = try CommandResult.run([
            "compress", source, "--codec", codec, "--frame-size", "0.002", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        let out = directory.file("GPT2LMHeadModel-\(codec)")
        let suffix = codec == "zstd" ? ".zst" : ".lz4"
        #expect(
            output["directory"]?.stringValue.flatMap(FileSystem.canonicalPath) == FileSystem.canonicalPath(out))
        #expect(output["verified"] == .bool(true))
        #expect(output["codec"] == .string(codec))
        #expect(output["index"] == "model.safetensors.index.json")
        #expect(output["copied"]?.arrayValue?.contains("config.json") == true)
        let shards = try #require(output["shards"]?.arrayValue)
        #expect(shards.count == 4)
        #expect(shards.allSatisfy { ($0["frames"]?.intValue ?? 0) > 1 })
        #expect(
            shards.map { $0["compressed_file"]?.stringValue }
                == shards.map { ($0["file"]?.stringValue ?? "") + suffix })
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: source).sorted() == before,
            "the original is untouched")

        let plain = try JSONParser.parse(Array(try CommandResult.run(["inspect", source, "--json"]).stdout.utf8))
        let inspected = try CommandResult.run(["inspect", out, "--json"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let compressed = try JSONParser.parse(Array(inspected.stdout.utf8))
        #expect(compressed["total_bytes"] == plain["total_bytes"])
        let compressedTensors = compressed["tensors"]?.arrayValue?.map { tensor -> JSONValue in
            guard case .object(let members) = tensor else { return tensor }
            return .object(
                members.map {
                    $0.key == "shard"
                        ? (
                            $0.key,
                            .string(($0.value.stringValue ?? "").replacingOccurrences(of: suffix, with: ""))
                        ) : $0
                })
        }
        #expect(compressedTensors == plain["tensors"]?.arrayValue)
        for shard in try #require(compressed["shards"]?.arrayValue) {
            #expect(shard.objectValue?.map(\.key) == ["file", "compression", "bytes", "metadata"])
            #expect(shard["compression"] == .string(codec))
            let file = try #require(shard["file"]?.stringValue)
            #expect(file.hasSuffix(suffix))
            let size = try FileManager.default.attributesOfItem(atPath: out + "/" + file)[.size] as? Int
            #expect(shard["bytes"]?.intValue == size)
        }
    }

    /// `pretrained load` of a compressed copy (frames of 3 KB, so tensors are cut) gives the same
    /// parameters, byte for byte, as the original, with and without a dtype conversion.
    @Test(arguments: ["zstd", "lz4"], ["auto", "BF16"])
    func aCompressedCheckpointLoadsLikeThePlainOne(codec: String, dtype: String) throws {
        let (directory, source) = try copyOfFixture("models/GPT2LMHeadModel")
        let out = directory.file("out")
        let compressed = try CommandResult.run([
            "compress", source, "--codec", codec, "--frame-size", "0.003", "--out", out,
        ])
        #expect(compressed.status == 0, "\(compressed.stderr)")
        let plain = try CommandResult.run(["load", source, "--dtype", dtype, "--checksums", "--json"])
        let loaded = try CommandResult.run(["load", out, "--dtype", dtype, "--checksums", "--json"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let expected = try JSONParser.parse(Array(plain.stdout.utf8))
        let actual = try JSONParser.parse(Array(loaded.stdout.utf8))
        #expect(actual["parameters"] == expected["parameters"])
        #expect((actual["parameters"]?.arrayValue?.count ?? 0) > 0)
        #expect(actual["report"] == expected["report"])
    }

    @Test func compressPrintsSizesAndTheRatio() throws {
        let (directory, source) = try copyOfFixture("models/GPT2Model")
        let out = directory.file("out")
        let result = try CommandResult.run(["compress", source, "--out", out, "--level", "19"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("model.safetensors.zst"))
        #expect(result.stdout.contains("ratio"))
        #expect(result.stdout.contains("verified"))
        #expect(FileManager.default.fileExists(atPath: out + "/config.json"))
        #expect(try Checkpoint.resolve(out).shards.map(\.compression) == [.zstd])
    }

    @Test func compressRefusesItsOwnFolderAndCompressedInput() throws {
        let (directory, source) = try copyOfFixture("models/GPT2Model")
        defer { withExtendedLifetime(directory) {} }
        let same = try CommandResult.run(["compress", source, "--out", source])
        #expect(same.status == 1)
        #expect(same.stderr.hasPrefix("error: cannot compress: the output folder"))
        let first = try CommandResult.run(["compress", source, "--codec", "lz4"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try CommandResult.run(["compress", source + "-lz4", "--out", source + "-twice"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already compressed"))
    }

    @Test func usageErrorsExitWithStatusTwo() throws {
        #expect(try CommandResult.run(["compress", "x", "--codec", "gzip"]).status == 2)
        #expect(try CommandResult.run(["compress", "x", "--level", "40"]).status == 2)
        #expect(try CommandResult.run(["compress", "x", "--codec", "lz4", "--level", "13"]).status == 2)
        #expect(try CommandResult.run(["compress", "x", "--frame-size", "0"]).status == 2)
    }

    @Test func inspectReadsASingleCompressedFile() throws {
        let path = Fixtures.path("compressed/llama-bf16-pzstd.safetensors.zst")
        let result = try CommandResult.run(["inspect", path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        let shard = try #require(output["shards"]?.arrayValue?.first)
        #expect(shard["file"] == "llama-bf16-pzstd.safetensors.zst")
        #expect(shard["compression"] == "zstd")
        #expect(
            shard["bytes"]?.intValue == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        let table = try CommandResult.run(["inspect", path])
        #expect(table.stdout.contains("on disk (zstd)"))
    }
}
