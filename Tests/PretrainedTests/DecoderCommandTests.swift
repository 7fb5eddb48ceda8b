import Testing
@testable import Pretrained

/// The `pretrained` command on the decoder families: `inspect --model`, `load --checksums` and
/// `plan` print what `transformers` / `accelerate` computed for the same inputs.
@Suite struct DecoderCommandTests {
    static func json(_ arguments: [String]) throws -> JSONValue {
        let result = try CommandResult.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONParser.parse(Array(result.stdout.utf8))
    }

    @Test(arguments: ["DeepSeek-V3", "gpt-oss-20b", "Qwen3-Next-80B-A3B-Instruct", "gemma-2-2b", "phi-2"])
    func inspectModelPrintsTransformersCounts(folder: String) throws {
        let printed = try Self.json(["inspect", "--model", Fixtures.path("configs/\(folder)"), "--json"])
        let expected = try Fixtures.json("configs/expected_counts_decoders.json")["configs"]?[folder]?.objectValue?.first?.value
        #expect(printed["architecture"] == expected?["architecture"])
        #expect(printed["parameter_count"] == expected?["parameter_count"])
        #expect(printed["parameter_bytes"] == expected?["parameter_bytes"])
        #expect(printed["no_split_modules"] == expected?["no_split_modules"])
        #expect(printed["plans"] == Expected.plans(expected?["plans"]))
        #expect(printed["tied"] == expected?["tied"])
    }

    @Test(arguments: ["Qwen2MoeForCausalLM", "DeepseekV3ForCausalLM-bf16", "GPTNeoXForCausalLM", "Gemma3ForCausalLM"])
    func loadPrintsTransformersChecksums(fixture: String) throws {
        let printed = try Self.json(["load", Fixtures.path("models/\(fixture)"), "--json", "--checksums"])
        let expected = try Fixtures.json("models/\(fixture)/expected.json")
        let parameters = printed["parameters"]?.arrayValue ?? []
        let reference = expected["parameters"]?.arrayValue ?? []
        #expect(parameters.count == reference.count)
        for (line, entry) in zip(parameters, reference) {
            #expect(line["name"] == entry["name"])
            #expect(line["dtype"] == entry["dtype"])
            #expect(line["sha256"] == entry["sha256"], "\(entry["name"]?.stringValue ?? "")")
            #expect(line["storage"] == entry["storage"])
        }
        #expect(printed["tied"] == expected["tied"])
    }

    @Test func planPrintsAccelerateDeviceMap() throws {
        let cases = try Fixtures.json("configs/expected_device_maps_decoders.json")["cases"]?.arrayValue ?? []
        let testCase = try #require(cases.first { $0["config"]?.stringValue == "Qwen3-30B-A3B" })
        let printed = try Self.json(["plan", Fixtures.path("configs/Qwen3-30B-A3B"), "--max-memory",
                                     testCase["max_memory"]?.stringValue ?? "", "--dtype", "BF16", "--json"])
        #expect(printed["device_map"] == testCase["device_map"])
        #expect(printed["device_bytes"] == testCase["device_bytes"])
    }
}
