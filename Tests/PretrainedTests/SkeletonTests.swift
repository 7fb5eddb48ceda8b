import Foundation
import Testing
@testable import Pretrained
@testable import PretrainedCLI

/// Skeletons built from config.json match what `transformers` 5.23 builds: names in
/// `state_dict()` order, shapes, dtypes, the expanded tied map, the plans and the counts.
@Suite struct SkeletonTests {
    static let fixtureModels = [
        "GPT2Model", "GPT2LMHeadModel", "LlamaModel", "LlamaForCausalLM", "LlamaForCausalLM-bf16", "MistralForCausalLM",
        "Qwen2ForCausalLM", "Qwen3ForCausalLM", "BertModel", "BertForMaskedLM", "T5Model", "T5ForConditionalGeneration",
        "T5EncoderModel", "MixtralForCausalLM",
    ]

    @Test(arguments: fixtureModels)
    func skeletonMatchesTransformers(fixture: String) throws {
        let expected = try Fixtures.json("models/\(fixture)/expected.json")
        let config = try ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json"))
        let model = try MetaModel(config: config)
        #expect(model.architecture.name == expected["architecture"]?.stringValue)
        #expect(model.slotLines == Expected.slots(expected["parameters"]))
        #expect(model.tiedLines == Expected.tied(expected["tied"]))
        #expect(model.plans.json == Expected.plans(expected["plans"]))
        #expect(model.parameterCount == expected["parameter_count"]?.intValue)
        #expect(model.architecture.baseModelPrefix == expected["base_model_prefix"]?.stringValue)
        #expect(model.architecture.noSplitModules.map(JSONValue.string) == expected["no_split_modules"]?.arrayValue)
        #expect(model.architecture.keepInFP32Modules.map(JSONValue.string) == expected["keep_in_fp32_modules"]?.arrayValue)
    }

    /// Published configs: counts and declarations of full-size models, built without memory.
    @Test func publishedConfigsMatchTransformersCounts() throws {
        let expected = try Fixtures.json("configs/expected_counts.json")
        let configs = try #require(expected["configs"]?.objectValue)
        for (folder, classes) in configs {
            let config = try ModelConfig.read(path: Fixtures.path("configs/\(folder)/config.json"))
            for (className, facts) in try #require(classes.objectValue) {
                let model = try MetaModel(config: config, architecture: className)
                #expect(model.parameterCount == facts["parameter_count"]?.intValue, "\(folder) \(className)")
                #expect(model.parameterBytes == facts["parameter_bytes"]?.intValue, "\(folder) \(className)")
                #expect(model.dtype.rawValue == facts["dtype"]?.stringValue, "\(folder) \(className)")
                #expect(model.tiedLines == Expected.tied(facts["tied"]), "\(folder) \(className)")
                #expect(model.plans.json == Expected.plans(facts["plans"]), "\(folder) \(className)")
                #expect(model.slots.count == facts["state_dict_count"]?.intValue, "\(folder) \(className)")
                if let all = facts["state_dict"] {
                    #expect(model.slotLines == Expected.slots(all), "\(folder) \(className)")
                } else if let first = facts["state_dict_first20"] {
                    #expect(Array(model.slotLines.prefix(20)) == Expected.slots(first), "\(folder) \(className)")
                }
            }
        }
    }

    @Test func knownCountsFromTheIssue() throws {
        let llama = try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/Llama-2-7b-hf/config.json")))
        #expect(llama.parameterCount == 6_738_415_616)
        let gpt2 = try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/gpt2/config.json")))
        #expect(gpt2.parameterCount == 124_439_808)
        let bert = try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/bert-base-uncased/config.json")),
                                 architecture: "BertModel")
        #expect(bert.parameterCount == 109_482_240)
    }

    @Test func tyingFollowsTieWordEmbeddingsExceptForT5() throws {
        let gpt2 = try ModelConfig.read(path: Fixtures.path("models/GPT2LMHeadModel/config.json"))
        #expect(try MetaModel(config: gpt2).tiedWeights.count == 1)
        #expect(try MetaModel(config: gpt2.setting("tie_word_embeddings", to: false)).tiedWeights.isEmpty)
        let llama = try ModelConfig.read(path: Fixtures.path("models/LlamaForCausalLM/config.json"))
        #expect(try MetaModel(config: llama).tiedWeights.isEmpty)
        #expect(try MetaModel(config: llama.setting("tie_word_embeddings", to: true)).tiedLines
            == ["lm_head.weight -> model.embed_tokens.weight"])
        let t5 = try ModelConfig.read(path: Fixtures.path("models/T5ForConditionalGeneration/config.json"))
        #expect(try MetaModel(config: t5.setting("tie_word_embeddings", to: false)).tiedWeights.count == 3)
    }

    @Test func architectureCanBeForcedAndResolvedFromModelType() throws {
        let config = try ModelConfig.read(path: Fixtures.path("models/GPT2LMHeadModel/config.json"))
        let base = try MetaModel(config: config, architecture: "GPT2Model")
        #expect(base.slots.first?.name == "wte.weight")
        let untyped = try ModelConfig(json: .object([(key: "model_type", value: "llama"), (key: "num_hidden_layers", value: 1),
                                                     (key: "hidden_size", value: 8), (key: "intermediate_size", value: 16),
                                                     (key: "num_attention_heads", value: 2), (key: "vocab_size", value: 10)]))
        #expect(try MetaModel(config: untyped).architecture.name == "LlamaModel")
        #expect(throws: PretrainedError.unknownArchitecture(name: "NopeForCausalLM", known: ArchitectureRegistry.shared.names)) {
            try MetaModel(config: config, architecture: "NopeForCausalLM")
        }
    }

    @Test func configFieldsOfTheWrongTypeAreReported() throws {
        let config = try ModelConfig(json: .object([(key: "architectures", value: ["GPT2Model"]), (key: "n_embd", value: "big")]))
        #expect(throws: PretrainedError.invalidConfig(file: "config.json", reason: "'n_embd' is \"big\", not an integer")) {
            try MetaModel(config: config)
        }
    }

    @Test func keepInFP32AppliesOnlyToHalfPrecision() throws {
        let config = try ModelConfig.read(path: Fixtures.path("models/T5ForConditionalGeneration/config.json"))
        let half = try MetaModel(config: config, dtype: .f16)
        #expect(half.slot(named: "encoder.block.0.layer.1.DenseReluDense.wo.weight")?.dtype == .f32)
        #expect(half.slot(named: "encoder.block.0.layer.1.DenseReluDense.wi.weight")?.dtype == .f16)
        let bf16 = try MetaModel(config: config, dtype: .bf16)
        #expect(bf16.slot(named: "encoder.block.0.layer.1.DenseReluDense.wo.weight")?.dtype == .bf16)
    }

    @Test func userArchitecturesCanBeRegistered() throws {
        struct TinyProbe: Architecture {
            let name = "TinyProbe"
            let modelType = "tiny-probe"
            let baseModelPrefix = "probe"
            var tiedWeightsKeys: [(target: String, source: String)] { [(#"head\.\d+\.weight"#, "embed.weight")] }
            func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
                Module("TinyProbe", children: [("embed", .embedding(4, 2)),
                                               ("head", .list([.linear(in: 2, out: 4, bias: false),
                                                               .linear(in: 2, out: 4, bias: false)]))])
            }
        }
        let registry = ArchitectureRegistry()
        registry.register(TinyProbe())
        let config = try ModelConfig(json: .object([(key: "architectures", value: ["TinyProbe"])]))
        let model = try MetaModel(config: config, registry: registry)
        #expect(model.tiedLines == ["head.0.weight -> embed.weight", "head.1.weight -> embed.weight"])
        #expect(model.parameterCount == 8)
    }
}

/// Configs whose sizes cannot exist end in typed errors before anything is allocated.
@Suite struct ConfigLimitTests {
    func gpt2(_ changes: [(String, JSONValue)]) throws -> ModelConfig {
        var config = try ModelConfig.read(path: Fixtures.path("models/GPT2LMHeadModel/config.json"))
        for (key, value) in changes { config = config.setting(key, to: value) }
        return config
    }

    @Test func repetitionCountsAreBounded() throws {
        #expect(throws: PretrainedError.self) { try MetaModel(config: gpt2([("n_layer", .int(1_000_000_000))])) }
        #expect(try MetaModel(config: gpt2([("n_layer", .int(3))])).slots.count > 0)
    }

    @Test func shapesWhoseSizeOverflowsAreInvalidConfigs() throws {
        let huge = JSONValue.int(1 << 62)
        #expect(throws: PretrainedError.self) { try MetaModel(config: gpt2([("vocab_size", huge), ("n_embd", huge)])) }
        #expect(throws: PretrainedError.self) { try MetaModel(config: gpt2([("vocab_size", .int(1 << 30)), ("n_embd", .int(1 << 30)), ("n_positions", .int(1 << 30))])) }
    }

    @Test func aSlotTooLargeToAllocateIsATypedError() throws {
        let directory = try TemporaryDirectory()
        let source = Fixtures.path("models/GPT2Model")
        for name in ["model.safetensors"] {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: directory.file(name))
        }
        let config = try gpt2([("architectures", ["GPT2Model"]), ("vocab_size", .int(1 << 30)), ("n_embd", .int(1 << 16))])
        try directory.write("config.json", text: config.json.serialized())
        #expect(throws: PretrainedError.self) {
            try load(pretrained: directory.path, options: LoadOptions(ignoreMismatchedSizes: true))
        }
    }
}
