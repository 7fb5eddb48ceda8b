import Foundation
import Testing
@testable import Pretrained

/// `pretrained load` against the CLI contract, run as the real executable.
@Suite struct LoadCommandTests {
    @Test func jsonMatchesTheContractAndTransformers() throws {
        let fixture = Fixtures.path("models/BertForMaskedLM")
        let result = try CommandResult.run(["load", fixture, "--json", "--checksums"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output.objectValue?.map(\.key)
            == ["architecture", "parameters", "tied", "report", "plans", "total_bytes", "seconds"])
        let expected = try Fixtures.json("models/BertForMaskedLM/expected.json")
        #expect(output["architecture"] == expected["architecture"])
        let parameters = try #require(output["parameters"]?.arrayValue)
        let reference = try #require(expected["parameters"]?.arrayValue)
        #expect(parameters.count == reference.count)
        for (mine, theirs) in zip(parameters, reference) {
            #expect(mine.objectValue?.map(\.key) == ["name", "dtype", "shape", "storage", "sha256"])
            for key in ["name", "dtype", "shape", "storage", "sha256"] { #expect(mine[key] == theirs[key], "\(key)") }
        }
        #expect(Expected.tied(output["tied"]) == Expected.tied(expected["tied"]))
        #expect(output["report"]?.objectValue?.prefix(5).map(\.key)
            == ["missing", "unexpected", "mismatched", "tied_from_checkpoint", "ignored"])
        #expect(output["plans"] == Expected.plans(expected["plans"]))
        #expect(output["seconds"]?.doubleValue ?? -1 >= 0)
        // Tied storage counts once.
        let distinct = parameters.filter { $0["storage"] == $0["name"] }
        let total = try distinct.reduce(0) { sum, entry in
            let dtype = try #require(DType(rawValue: entry["dtype"]?.stringValue ?? ""))
            let elements = (entry["shape"]?.arrayValue ?? []).reduce(1) { $0 * ($1.intValue ?? 0) }
            return sum + (dtype.byteCount(elements: elements) ?? 0)
        }
        #expect(output["total_bytes"]?.intValue == total)
    }

    @Test func reportListsUnexpectedKeysAndTiedFills() throws {
        let result = try CommandResult.run(["load", Fixtures.path("cases/gpt2-lmhead-only"), "--json"])
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output["report"]?["tied_from_checkpoint"]
            == .array([.object([(key: "filled", value: "transformer.wte.weight"), (key: "from", value: "lm_head.weight")])]))
        let base = try CommandResult.run(["load", Fixtures.path("cases/gpt2-both-equal"), "--architecture", "GPT2Model", "--json"])
        #expect(try JSONParser.parse(Array(base.stdout.utf8))["report"]?["unexpected"] == ["lm_head.weight"])
    }

    @Test func dtypeOptionConvertsAndBadValuesAreUsageErrors() throws {
        let result = try CommandResult.run(["load", Fixtures.path("models/LlamaForCausalLM-bf16"), "--dtype", "F32", "--json"])
        #expect(result.status == 0)
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output["parameters"]?.arrayValue?.allSatisfy { $0["dtype"] == "F32" } == true)
        #expect(try CommandResult.run(["load", Fixtures.path("models/LlamaForCausalLM"), "--dtype", "F8"]).status == 2)
    }

    @Test func shapeMismatchExitsWithOneAndNamesTheTensor() throws {
        let result = try CommandResult.run(["load", Fixtures.path("cases/llama-shape-mismatch")])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("'model.layers.0.mlp.up_proj.weight' has shape [16, 16] but the model expects [24, 16]"))
        let ignored = try CommandResult.run(["load", Fixtures.path("cases/llama-shape-mismatch"), "--ignore-mismatched-sizes"])
        #expect(ignored.status == 0)
        #expect(ignored.stdout.contains("mismatched:"))
    }
}

/// The CLI report stays linear in the parameters: 4,096 layers over a 2-layer checkpoint.
@Suite struct LoadCommandScaleTests {
    @Test func reportOfManyLayersPrintsInBoundedTime() throws {
        let directory = try TemporaryDirectory()
        try directory.copy(fixture: "models/GPT2Model/model.safetensors", as: "model.safetensors")
        let config = try ModelConfig.read(path: Fixtures.path("models/GPT2Model/config.json")).setting("n_layer", to: 4096)
        try directory.write("config.json", text: config.json.serialized())
        let clock = ContinuousClock()
        let started = clock.now
        let result = try CommandResult.run(["load", directory.path, "--json"])
        let elapsed = clock.now - started
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect((output["report"]?["missing"]?.arrayValue?.count ?? 0) > 4000)
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }
}
