import Foundation
import Testing
@testable import Pretrained

/// The decoder families of issue 14 (`make_fixtures.py decoder-families`): every tiny model, written and
/// reloaded by `transformers` 5.23, builds the same skeleton and loads byte for byte in all three
/// read modes, with the same tied map, storage sharing, plans and report.
@Suite struct DecoderConformanceTests {
    static let models: [String] = {
        let list = try? Fixtures.json("models/decoders.json")["models"]?.arrayValue?.compactMap(\.stringValue)
        return list ?? []
    }()

    /// Cases written by the decoder-families part (the fused MoE layouts, dtype rules).
    static let cases = ["qwen2-moe-fused", "qwen3-moe-fused", "deepseek-v3-fused", "qwen3-next-fused",
                        "gpt-oss-f16-keep-in-fp32", "deepseek-v3-mtp-layer-ignored", "qwen3-next-mtp-ignored",
                        "gpt-neox-legacy-buffers", "qwen2-moe-causal-lm-into-base"]

    /// Keys `transformers` ignores without reporting them are in the report's `ignored` list.
    @Test(arguments: [("deepseek-v3-mtp-layer-ignored", 3), ("qwen3-next-mtp-ignored", 2), ("gpt-neox-legacy-buffers", 4)])
    func ignoredKeysAreListed(fixture: String, count: Int) throws {
        let expected = try Fixtures.json("cases/\(fixture)/expected.json")
        let slots = Set((expected["parameters"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        let extra = (expected["checkpoint_keys"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !slots.contains($0) }
        #expect(extra.count == count)
        let model = try load(pretrained: Fixtures.path("cases/\(fixture)"))
        #expect(model.report.ignored == extra.sorted())
        #expect(model.report.unexpected.isEmpty)
    }

    @Test func theFixtureListIsPresent() {
        #expect(Self.models.count >= 37)
    }

    @Test(arguments: models)
    func skeletonMatchesTransformers(fixture: String) throws {
        try SkeletonTests().skeletonMatchesTransformers(fixture: fixture)
        let expected = try Fixtures.json("models/\(fixture)/expected.json")
        let model = try MetaModel(config: ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json")))
        // transformers' own ignore patterns are among ours (ours add the rotary buffers of older checkpoints).
        let ignored = (expected["keys_to_ignore_on_load_unexpected"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(Set(ignored).isSubset(of: model.architecture.ignoreOnLoadUnexpected), "\(fixture)")
        #expect(model.architecture.ignoreOnLoadMissing.isEmpty)
        #expect(model.architecture.keepInFP32ModulesStrict.map(JSONValue.string) == expected["keep_in_fp32_modules_strict"]?.arrayValue)
        #expect((expected["keys_to_ignore_on_load_missing"]?.arrayValue ?? []).isEmpty)
    }

    @Test(arguments: models.map { "models/" + $0 } + cases.map { "cases/" + $0 }, LoadConformanceTests.Mode.allCases)
    func loadMatchesTransformers(fixture: String, mode: LoadConformanceTests.Mode) throws {
        try LoadConformanceTests().loadMatchesTransformers(fixture: fixture, mode: mode)
    }

    /// Every tensor of every decoder fixture is compared by SHA-256 (none is skipped as random).
    @Test func everyTensorIsCompared() throws {
        var compared = 0
        for fixture in Self.models {
            let expected = try Fixtures.json("models/\(fixture)/expected.json")
            #expect(expected["nondeterministic"]?.arrayValue?.isEmpty == true, "\(fixture)")
            let model = try load(pretrained: Fixtures.path("models/\(fixture)"))
            let hashes = (expected["parameters"]?.arrayValue ?? []).compactMap { $0["sha256"]?.stringValue }
            #expect(model.parameters.map { $0.sha256() } == hashes, "\(fixture)")
            compared += hashes.count
        }
        #expect(compared > 600)
    }

    /// `save_pretrained` writes the Qwen2-MoE mapping's families per expert; loading fuses them into
    /// the slots, and the fused layout on disk (the cases) loads unconverted to the same bytes.
    @Test(arguments: [("Qwen2MoeForCausalLM", "qwen2-moe-fused", 3), ("Qwen3MoeForCausalLM", "qwen3-moe-fused", 2),
                      ("DeepseekV3ForCausalLM", "deepseek-v3-fused", 3), ("Qwen3NextForCausalLM", "qwen3-next-fused", 4)])
    func perExpertCheckpointsAreFused(fixture: String, fusedCase: String, layers: Int) throws {
        let model = try load(pretrained: Fixtures.path("models/\(fixture)"))
        let converted = model.report.converted
        #expect(!converted.isEmpty)
        for entry in converted {
            #expect(entry.name.hasSuffix("mlp.experts.gate_up_proj") || entry.name.hasSuffix("mlp.experts.down_proj"))
            let perSource = entry.name.hasSuffix("gate_up_proj") ? 2 : 1
            #expect(entry.from.count == 4 * perSource, "\(entry.name)")
            #expect(entry.from.allSatisfy { $0.contains(".mlp.experts.") && $0.hasSuffix("_proj.weight") })
        }
        let fused = try load(pretrained: Fixtures.path("cases/\(fusedCase)"))
        #expect(fused.report.converted.isEmpty)
        #expect(model.parameters.map(\.name) == fused.parameters.map(\.name))
        // Sparse layers only: the gated-MLP layers (Qwen2-MoE's mlp_only_layers, Qwen3-MoE's
        // decoder_sparse_step, DeepSeek-V3's first_k_dense_replace) have no experts.
        #expect(converted.count == 2 * (layers - 1))
    }

    /// One fused slot filled from per-expert keys in three shards, read on several cores or one.
    @Test func expertsSpreadOverShardsMergeTheSameInParallel() throws {
        var sequential = LoadOptions(copy: true)
        sequential.parallel = false
        let one = try load(pretrained: Fixtures.path("models/Qwen2MoeForCausalLM-sharded"), options: sequential)
        let many = try load(pretrained: Fixtures.path("models/Qwen2MoeForCausalLM-sharded"), options: LoadOptions(copy: true))
        #expect(one.parameters.map { $0.sha256() } == many.parameters.map { $0.sha256() })
        let fused = try #require(many.report.converted.first { $0.name == "model.layers.0.mlp.experts.gate_up_proj" })
        #expect(fused.from.count == 8)
    }

    @Test func deepseekRouterBiasStaysF32InBF16() throws {
        let model = try load(pretrained: Fixtures.path("models/DeepseekV3ForCausalLM-bf16"))
        #expect(model["model.layers.1.mlp.gate.e_score_correction_bias"]?.dtype == .f32)
        #expect(model["model.layers.1.mlp.gate.weight"]?.dtype == .bf16)
        let config = try ModelConfig.read(path: Fixtures.path("models/DeepseekV3ForCausalLM/config.json"))
        #expect(try MetaModel(config: config, dtype: .f16).slot(named: "model.layers.2.mlp.gate.e_score_correction_bias")?.dtype == .f32)
        #expect(try MetaModel(config: config, dtype: .f32).slot(named: "model.layers.2.mlp.gate.e_score_correction_bias")?.kind == .buffer)
        let gptOss = try ModelConfig.read(path: Fixtures.path("models/GptOssForCausalLM/config.json"))
        #expect(try MetaModel(config: gptOss, dtype: .bf16).slot(named: "model.norm.weight")?.dtype == .bf16)
        #expect(try MetaModel(config: gptOss, dtype: .f16).slot(named: "model.norm.weight")?.dtype == .f32)
    }

    @Test func gptNeoXHeadIsRenamedFromEmbedOut() throws {
        let model = try load(pretrained: Fixtures.path("models/GPTNeoXForCausalLM"))
        #expect(model.report.converted.map(\.name) == ["lm_head.weight"])
        #expect(model.report.converted.first?.from == ["embed_out.weight"])
        // The base model has no head: the renamed key is unexpected there, under its checkpoint name.
        let base = try load(pretrained: Fixtures.path("models/GPTNeoXForCausalLM"),
                            options: LoadOptions(architecture: "GPTNeoXModel"))
        #expect(base.report.unexpected == ["embed_out.weight"])
        #expect(base.report.missing.isEmpty)
    }

    @Test func tiedHeadsFollowTheFamilysDefault() throws {
        for (fixture, tied) in [("GemmaForCausalLM", true), ("Gemma2ForCausalLM", true), ("SmolLM3ForCausalLM", true),
                                ("Starcoder2ForCausalLM", true), ("PhiForCausalLM", false), ("Olmo2ForCausalLM", false),
                                ("GraniteForCausalLM", false), ("Phi3ForCausalLM", false)] {
            let config = try ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json"))
            var bare = config
            if case .object(var members) = config.json {
                members.removeAll { $0.key == "tie_word_embeddings" }
                bare = try ModelConfig(json: .object(members))
            }
            #expect(try MetaModel(config: bare).tiedWeights.isEmpty == !tied, "\(fixture)")
        }
    }

    @Test func sequenceClassifiersReadTheirLabelCount() throws {
        let config = try ModelConfig.read(path: Fixtures.path("models/Qwen2ForSequenceClassification/config.json"))
        #expect(try MetaModel(config: config).slot(named: "score.weight")?.shape == [5, 32])
        var members = config.json.objectValue ?? []
        members.removeAll { $0.key == "id2label" || $0.key == "label2id" }
        let unlabeled = try ModelConfig(json: .object(members))
        #expect(try MetaModel(config: unlabeled).slot(named: "score.weight")?.shape == [2, 32])
        #expect(try MetaModel(config: unlabeled.setting("num_labels", to: 7)).slot(named: "score.weight")?.shape == [7, 32])
        #expect(throws: PretrainedError.self) { try MetaModel(config: config.setting("id2label", to: "three")) }
    }
}
