import Foundation
import Testing
@testable import Pretrained

/// Hostile configs beside the decoder fixtures: every load finishes or throws a typed
/// `PretrainedError`, never traps (sizes multiplied from three config fields included).
@Suite struct DecoderHostileConfigTests {
    static let huge = "2147483647"
    static let mutations: [(fixture: String, key: String, value: String)] = [
        ("Phi3ForCausalLM", "num_attention_heads", huge), ("Phi3ForCausalLM", "num_key_value_heads", huge),
        ("Phi3ForCausalLM", "head_dim", huge),
        ("GPTNeoXForCausalLM", "num_attention_heads", huge), ("GPTNeoXForCausalLM", "head_dim", huge),
        ("GPTNeoXForCausalLM", "rotary_pct", "0"), ("GPTNeoXForCausalLM", "rotary_pct", "\"x\""),
        ("PhiForCausalLM", "partial_rotary_factor", "7"), ("PhiForCausalLM", "qk_layernorm", "1"),
        ("DeepseekV3ForCausalLM", "num_attention_heads", huge), ("DeepseekV3ForCausalLM", "qk_nope_head_dim", huge),
        ("DeepseekV3ForCausalLM", "v_head_dim", huge), ("DeepseekV3ForCausalLM", "q_lora_rank", "null"),
        ("DeepseekV3ForCausalLM", "q_lora_rank", "\"x\""), ("DeepseekV3ForCausalLM", "n_routed_experts", "65537"),
        ("DeepseekV3ForCausalLM", "first_k_dense_replace", huge), ("DeepseekV3ForCausalLM", "n_shared_experts", "-1"),
        ("Qwen3NextForCausalLM", "linear_num_key_heads", huge), ("Qwen3NextForCausalLM", "linear_key_head_dim", huge),
        ("Qwen3NextForCausalLM", "linear_num_value_heads", huge), ("Qwen3NextForCausalLM", "head_dim", huge),
        ("Qwen3NextForCausalLM", "layer_types", "[\"linear_attention\"]"), ("Qwen3NextForCausalLM", "layer_types", "7"),
        ("Qwen3NextForCausalLM", "mlp_only_layers", "[\"x\", -1]"), ("Qwen3NextForCausalLM", "decoder_sparse_step", "0"),
        ("Qwen2MoeForCausalLM", "num_experts", "0"), ("Qwen2MoeForCausalLM", "num_experts", "[4]"),
        ("Qwen2MoeForCausalLM", "shared_expert_intermediate_size", "0"), ("Qwen3MoeForCausalLM", "num_local_experts", "-4"),
        ("GptOssForCausalLM", "num_local_experts", huge), ("GptOssForCausalLM", "attention_bias", "\"yes\""),
        ("Gemma3ForCausalLM", "layer_types", "[1, null]"), ("Gemma3ForCausalLM", "sliding_window_pattern", "0"),
        ("GemmaForCausalLM", "hidden_act", "17"), ("Qwen2ForSequenceClassification", "id2label", "[1, 2]"),
        ("Qwen2ForSequenceClassification", "num_labels", huge),
    ]

    @Test func mutantsLoadOrFailWithATypedError() throws {
        for mutation in Self.mutations {
            let directory = try TemporaryDirectory()
            let source = Fixtures.path("models/\(mutation.fixture)")
            for name in try FileManager.default.contentsOfDirectory(atPath: source) {
                try FileManager.default.copyItem(atPath: source + "/" + name, toPath: directory.file(name))
            }
            var text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.file("config.json"))), as: UTF8.self)
            HostileConfigTests.setting(mutation.key, to: mutation.value)(&text)
            #expect(text.contains("\"\(mutation.key)\": \(mutation.value)"), "\(mutation) not applied")
            try directory.write("config.json", text: text)
            do {
                let model = try load(pretrained: directory.path, options: LoadOptions(ignoreMismatchedSizes: false))
                #expect(!model.parameters.isEmpty, "\(mutation)")
            } catch {
                #expect(!error.description.isEmpty, "\(mutation)")
            }
        }
    }

    @Test func overflowingSizesAreNamed() throws {
        let config = try ModelConfig.read(path: Fixtures.path("models/Phi3ForCausalLM/config.json"))
            .setting("num_attention_heads", to: .int(2_147_483_647)).setting("num_key_value_heads", to: .int(2_147_483_647))
            .setting("head_dim", to: .int(2_147_483_647))
        #expect(throws: PretrainedError.invalidConfig(file: config.file, reason: "the size of 'qkv_proj' overflows")) {
            try MetaModel(config: config)
        }
        let next = try ModelConfig.read(path: Fixtures.path("models/Qwen3NextForCausalLM/config.json"))
            .setting("layer_types", to: ["full_attention"])
        #expect(throws: PretrainedError.self) { try MetaModel(config: next) }
    }
}
