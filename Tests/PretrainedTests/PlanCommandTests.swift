import Testing
@testable import Pretrained

/// `pretrained plan` and `pretrained inspect --model` against the CLI contract, run as the real
/// executable.
@Suite struct PlanCommandTests {
    @Test func planJSONMatchesAccelerate() throws {
        let fixture = try Fixtures.json("configs/expected_device_maps.json")
        let reference = try #require(fixture["cases"]?.arrayValue?.first {
            $0["config"] == "Llama-2-7b-hf" && $0["max_memory"] == "0=4GB,1=4GB,cpu=4GB,disk=100GB"
        })
        let result = try CommandResult.run(["plan", Fixtures.path("configs/Llama-2-7b-hf"),
                                            "--max-memory", "0=4GB,1=4GB,cpu=4GB,disk=100GB", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output["device_map"] == reference["device_map"])
        #expect(output["device_map"]?["model.layers.8"] == .int(1))
        #expect(output["device_map"]?["lm_head"] == "disk")
        #expect(output["device_bytes"] == reference["device_bytes"])
        #expect(output.objectValue?.prefix(2).map(\.key) == ["device_map", "device_bytes"])
        #expect(output["dtype"] == "F16")
        #expect(output["no_split_modules"] == ["LlamaDecoderLayer"])
    }

    @Test func planOptionsChooseDTypeAndNoSplit() throws {
        let fixture = try Fixtures.json("configs/expected_device_maps.json")
        let reference = try #require(fixture["cases"]?.arrayValue?.first {
            $0["config"] == "gpt2" && $0["max_memory"] == "0=400MB,cpu=200MB,disk=1GB" && $0["no_split"] == []
        })
        let result = try CommandResult.run(["plan", Fixtures.path("configs/gpt2/config.json"), "--max-memory",
                                            "0=400MB,cpu=200MB,disk=1GB", "--no-split", "", "--dtype", "F32", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output["device_map"] == reference["device_map"])
        #expect(output["device_bytes"] == reference["device_bytes"])

        let half = try CommandResult.run(["plan", Fixtures.path("configs/gpt2"), "--max-memory", "0=200MB,cpu=150MB,disk=1GB",
                                          "--dtype", "f16", "--no-split", "GPT2Block", "--json"])
        let halfReference = try #require(fixture["cases"]?.arrayValue?.first {
            $0["config"] == "gpt2" && $0["max_memory"] == "0=200MB,cpu=150MB,disk=1GB"
        })
        #expect(try JSONParser.parse(Array(half.stdout.utf8))["device_map"] == halfReference["device_map"])
    }

    @Test func planTextShowsTheMapBytesAndOffloading() throws {
        let result = try CommandResult.run(["plan", Fixtures.path("configs/gpt2"), "--max-memory", "0=200MB,cpu=200MB,disk=1GB"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("transformer.h.6"))
        #expect(result.stdout.contains("157,535,232"))
        #expect(result.stdout.contains("to cpu: 6 modules"))
        #expect(result.stdout.contains("to disk: 7 modules"))
    }

    @Test func badSpecsAreUsageErrors() throws {
        for spec in ["cpu=4TB", "gpu=1GB", "0=1GB,0=2GB", ""] {
            let result = try CommandResult.run(["plan", Fixtures.path("configs/gpt2"), "--max-memory", spec])
            #expect(result.status == 2, "\(spec): \(result.stderr)")
            #expect(result.stderr.contains("max memory"), "\(spec): \(result.stderr)")
        }
        let missing = try CommandResult.run(["plan", Fixtures.path("configs/gpt2")])
        #expect(missing.status == 2)
        let dtype = try CommandResult.run(["plan", Fixtures.path("configs/gpt2"), "--max-memory", "cpu=1GB", "--dtype", "F8"])
        #expect(dtype.status == 2)
    }

    @Test func missingConfigsAreLoadErrors() throws {
        let directory = try TemporaryDirectory()
        let result = try CommandResult.run(["plan", directory.path, "--max-memory", "cpu=1GB"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("config.json"))
        #expect(result.stderr.split(separator: "\n").count == 1)

        let config = try directory.write("config.json", text: #"{"architectures": ["NopeModel"]}"#)
        let unknown = try CommandResult.run(["plan", config, "--max-memory", "cpu=1GB"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("NopeModel"))
    }

    // MARK: inspect --model

    @Test func inspectModelJSONMatchesTheContract() throws {
        let result = try CommandResult.run(["inspect", "--model", Fixtures.path("configs/Llama-2-7b-hf"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output["architecture"] == "LlamaForCausalLM")
        #expect(output["parameter_count"] == .int(6_738_415_616))
        #expect(output["parameter_bytes"] == .int(13_476_831_232))
        #expect(output["tied"] == .object([]))
        #expect(output["no_split_modules"] == ["LlamaDecoderLayer"])
        #expect(output["plans"]?["tp"]?["layers.*.self_attn.q_proj"] == nil)
        #expect(output["plans"]?["tp"]?["model.layers.*.self_attn.q_proj"] == "colwise")
        let modules = try #require(output["modules"]?.arrayValue)
        #expect(modules.first { $0["name"] == "model.layers.0" } == .object([
            (key: "name", value: "model.layers.0"), (key: "class", value: "LlamaDecoderLayer"),
            (key: "parameters", value: .int(202_383_360)), (key: "bytes", value: .int(404_766_720)),
        ]))
        let expected = try Fixtures.json("configs/expected_counts.json")["configs"]?["Llama-2-7b-hf"]?["LlamaForCausalLM"]
        #expect(output["modules"] == expected?["modules"])
        #expect(output.objectValue?.prefix(7).map(\.key)
            == ["architecture", "parameter_count", "parameter_bytes", "tied", "plans", "no_split_modules", "modules"])
        #expect(output["dtype"] == "F16")
    }

    @Test func inspectModelReportsTyingSavings() throws {
        let result = try CommandResult.run(["inspect", "--model", Fixtures.path("configs/gpt2/config.json"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output["parameter_count"] == .int(124_439_808))
        #expect(output["tied"] == .object([(key: "lm_head.weight", value: "transformer.wte.weight")]))
        #expect(output["tying_savings"]?["parameters"] == .int(38_597_376))

        let text = try CommandResult.run(["inspect", "--model", Fixtures.path("configs/gpt2")])
        #expect(text.status == 0)
        #expect(text.stdout.contains("lm_head.weight -> transformer.wte.weight"))
        #expect(text.stdout.contains("tying saves 38,597,376 parameters"))
        #expect(text.stdout.contains("163,037,184"))
        #expect(text.stdout.contains("GPT2Block"))
    }

    @Test func inspectModelDTypeAndArchitecture() throws {
        let result = try CommandResult.run(["inspect", "--model", Fixtures.path("configs/Llama-2-7b-hf"), "--dtype", "F32",
                                            "--architecture", "LlamaModel", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(output["architecture"] == "LlamaModel")
        #expect(output["parameter_bytes"] == .int(6_607_343_616 * 4))

        let text = try CommandResult.run(["inspect", "--model", Fixtures.path("configs/Llama-2-7b-hf")])
        #expect(text.stdout.contains("model.rotary_emb.inv_freq F32 [64]"))
        #expect(text.stdout.contains("31 x LlamaDecoderLayer"))
        #expect(text.stdout.contains("tied: none"))
        #expect(text.stdout.contains("tp model.layers.*.self_attn.q_proj: colwise"))
    }

    @Test func modelOptionsNeedTheModelFlag() throws {
        let result = try CommandResult.run(["inspect", Fixtures.path("models/GPT2Model"), "--dtype", "F16"])
        #expect(result.status == 2)
        let bad = try CommandResult.run(["inspect", "--model", Fixtures.path("configs/gpt2"), "--dtype", "F64"])
        #expect(bad.status == 2)
    }
}
