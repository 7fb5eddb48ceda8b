import Testing
@testable import Pretrained

/// Decoder models built from their configs without a checkpoint, initialized as their
/// `_init_weights` do where it departs from the default rules.
@Suite struct DecoderInitializationTests {
    static func fresh(_ fixture: String) throws -> PretrainedModel {
        try PretrainedModel(config: ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json")), seed: 3)
    }

    @Test(arguments: DecoderConformanceTests.models)
    func everyDecoderBuildsFromItsConfig(fixture: String) throws {
        let expected = try Fixtures.json("models/\(fixture)/expected.json")
        let model = try Self.fresh(fixture)
        #expect(model.parameters.map(\.name) == (expected["parameters"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
    }

    @Test func gemmaNormsStartAtZeroAndThePaddingRowIsZero() throws {
        let model = try Self.fresh("GemmaForCausalLM")
        #expect(try #require(model["model.layers.0.input_layernorm.weight"]).floats().allSatisfy { $0 == 0 })
        #expect(try #require(model["model.norm.weight"]).floats().allSatisfy { $0 == 0 })
        let embedding = try #require(model["model.embed_tokens.weight"]).floats()
        #expect(embedding[0..<32].allSatisfy { $0 == 0 })  // pad_token_id 0
        #expect(embedding[32..<64].contains { $0 != 0 })
        let llama = try PretrainedModel(config: ModelConfig.read(path: Fixtures.path("models/LlamaForCausalLM/config.json")), seed: 3)
        #expect(try #require(llama["model.norm.weight"]).floats().allSatisfy { $0 == 1 })
    }

    @Test func moeRoutersAndBiases() throws {
        let deepseek = try Self.fresh("DeepseekV3ForCausalLM")
        #expect(try #require(deepseek["model.layers.1.mlp.gate.e_score_correction_bias"]).floats().allSatisfy { $0 == 0 })
        #expect(try #require(deepseek["model.layers.1.mlp.gate.weight"]).floats().contains { $0 != 0 })
        let gptOss = try Self.fresh("GptOssForCausalLM")
        #expect(try #require(gptOss["model.layers.0.mlp.experts.gate_up_proj_bias"]).floats().allSatisfy { $0 == 0 })
        #expect(try #require(gptOss["model.layers.0.mlp.experts.down_proj_bias"]).floats().allSatisfy { $0 == 0 })
        #expect(try #require(gptOss["model.layers.0.mlp.router.bias"]).floats().contains { $0 != 0 })
        let next = try Self.fresh("Qwen3NextForCausalLM")
        #expect(try #require(next["model.layers.0.linear_attn.dt_bias"]).floats().allSatisfy { $0 == 1 })
        #expect(try #require(next["model.layers.0.input_layernorm.weight"]).floats().allSatisfy { $0 == 0 })
        #expect(try #require(next["model.layers.0.linear_attn.norm.weight"]).floats().allSatisfy { $0 == 1 })
    }
}
