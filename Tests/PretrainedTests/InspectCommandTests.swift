import Foundation
import Testing
@testable import Pretrained

/// `pretrained inspect` against the CLI contract, run as the real executable.
@Suite struct InspectCommandTests {
    /// Checks the contract's JSON for a fixture whose `expected.json` lists its checkpoint keys.
    @Test(arguments: ["models/GPT2LMHeadModel", "models/GPT2LMHeadModel/model.safetensors.index.json",
                      "models/BertModel", "models/BertModel/model.safetensors"])
    func jsonMatchesTheContract(fixture: String) throws {
        let result = try CommandResult.run(["inspect", Fixtures.path(fixture), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output.objectValue?.map(\.key) == ["format", "shards", "tensors", "total_bytes"])
        #expect(output["format"] == "safetensors")

        let folder = fixture.hasSuffix("/model.safetensors") || fixture.hasSuffix(".json")
            ? String(fixture[..<fixture.lastIndex(of: "/")!]) : fixture
        let expected = try Fixtures.json(folder + "/expected.json")
        let tensors = try #require(output["tensors"]?.arrayValue)
        #expect(tensors.map { $0["name"] } == expected["checkpoint_keys"]?.arrayValue)

        let shards = try #require(output["shards"]?.arrayValue)
        var shardBytes: [String: Int] = [:]
        for shard in shards {
            let file = try #require(shard["file"]?.stringValue)
            #expect(shard.objectValue?.map(\.key) == ["file", "compression", "bytes", "metadata"])
            #expect(shard["compression"] == "none")
            #expect(shard["metadata"]?["format"] == "pt")
            let size = try FileManager.default.attributesOfItem(atPath: Fixtures.path(folder + "/" + file))[.size] as? Int
            #expect(shard["bytes"]?.intValue == size)
            shardBytes[file] = 0
        }
        var total = 0
        for tensor in tensors {
            #expect(tensor.objectValue?.map(\.key) == ["name", "dtype", "shape", "shard", "bytes"])
            let shard = try #require(tensor["shard"]?.stringValue)
            #expect(shardBytes[shard] != nil)
            let bytes = try #require(tensor["bytes"]?.intValue)
            let elements = tensor["shape"]?.arrayValue?.reduce(1) { $0 * ($1.intValue ?? 0) } ?? -1
            let dtype = try #require(DType(rawValue: tensor["dtype"]?.stringValue ?? ""))
            #expect(dtype.byteCount(elements: elements) == bytes)
            total += bytes
        }
        #expect(output["total_bytes"]?.intValue == total)
    }

    @Test func tableListsTensorsAndTotals() throws {
        let result = try CommandResult.run(["inspect", Fixtures.path("models/GPT2LMHeadModel")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("transformer.wte.weight"))
        #expect(result.stdout.contains("model-00004-of-00004.safetensors"))
        #expect(result.stdout.contains("total: "))
    }

    @Test func invalidFileExitsWithStatusOneAndAOneLineError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.safetensors", bytes: RawSafetensors.file(header: "[]"))
        let result = try CommandResult.run(["inspect", path])
        #expect(result.status == 1)
        #expect(result.stderr == "error: \(path): the header does not start with '{'\n")
        #expect(result.stdout.isEmpty)
    }

    @Test func usageErrorExitsWithStatusTwo() throws {
        #expect(try CommandResult.run(["inspect"]).status == 2)
        #expect(try CommandResult.run(["inspect", "x", "--no-such-flag"]).status == 2)
    }
}
