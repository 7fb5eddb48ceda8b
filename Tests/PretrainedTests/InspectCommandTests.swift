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

    @Test func tableSortsNumbersAsNumbersShardsInFileOrderAndCountsInTheSingular() throws {
        let result = try CommandResult.run(["inspect", Fixtures.path("models/GPT2LMHeadModel")])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let tensors = lines.compactMap { $0.split(separator: " ").first.map(String.init) }.filter { $0.hasPrefix("transformer.h.") }
        #expect(tensors.count == 24)
        #expect(tensors == tensors.sorted { NaturalOrder.less($0, $1) })
        let shards = lines.filter { $0.hasPrefix("shard ") }
        #expect(shards.map { $0.split(separator: ":")[0] } == (1...4).map { "shard model-0000\($0)-of-00004.safetensors" })
        #expect(lines.last?.hasSuffix("in 4 shards") == true)

        // Eleven layers: layers.2 before layers.10; one tensor per shard reads "1 tensor".
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 1
        var tensors11: [Tensor] = []
        for layer in 0..<11 { tensors11.append(try Tensor.random("layers.\(layer).w", .f32, [1], seed: &seed)) }
        try SafetensorsWriter.write(tensors11, to: directory.file("model.safetensors"))
        let single = try CommandResult.run(["inspect", directory.file("model.safetensors")])
        let names = single.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first }.filter { $0.hasPrefix("layers.") }
        #expect(names == (0..<11).map { "layers.\($0).w" })
        #expect(single.stdout.contains("11 tensors, ") && single.stdout.contains("in 1 shard\n"))
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
        let mistyped = try CommandResult.run(["inpsect", "x"])
        #expect(mistyped.status == 2 && mistyped.stderr.hasSuffix("Did you mean 'inspect'?\n"))
        #expect(try CommandResult.run(["lod", "x"]).stderr.contains("Did you mean 'load'?"))
        #expect(try !CommandResult.run(["zzzzzz"]).stderr.contains("Did you mean"))
    }
}
