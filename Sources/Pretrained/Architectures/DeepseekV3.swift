/// DeepSeek-V3 (`DeepseekV3Model`, `DeepseekV3ForCausalLM`): multi-head latent attention
/// (`q_a_proj`/`q_a_layernorm`/`q_b_proj`, or `q_proj` when `q_lora_rank` is null;
/// `kv_a_proj_with_mqa`/`kv_a_layernorm`/`kv_b_proj`), the gated MLP in the first
/// `first_k_dense_replace` layers, then routed experts, shared experts and a router whose
/// persistent `e_score_correction_bias` stays F32 (`_keep_in_fp32_modules_strict`). The multi-token
/// prediction layer of hub checkpoints (`model.layers.61`) is ignored, as `transformers` ignores it.
struct DeepseekV3Architecture: DecoderClass {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 129280, hidden: 7168, intermediate: 18432, layers: 61, heads: 128, keyValueHeads: 128, headDim: 64)

    let head: DecoderHead
    let prefix = "DeepseekV3"
    let modelType = "deepseek_v3"
    let baseModelPrefix = "model"
    let tiesByDefault = false
    let noSplitModules = ["DeepseekV3DecoderLayer"]
    let keepInFP32ModulesStrict = ["e_score_correction_bias"]
    let ignoreOnLoadUnexpected = [#"model\.layers\.61.*"#, #"rotary_emb\.inv_freq"#]
    let conversions = MixtureOfExperts.perExpertConversions

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        let activation = try Activation.module(config, key: "hidden_act", default: "silu")
        let attention = try Self.attention(config, shape: shape)
        let firstSparse = try config.count("first_k_dense_replace", default: 3)
        let experts = try MixtureOfExperts.count(config, keys: ["n_routed_experts", "num_local_experts"], default: 256)
        let expertSize = try config.positiveInt("moe_intermediate_size", default: 2048)
        let shared = try config.count("n_shared_experts", default: 1)
        let moe = Module("DeepseekV3MoE", children: [
            ("experts", MixtureOfExperts.experts("DeepseekV3Experts", count: experts, hidden: shape.hidden,
                                                 intermediate: expertSize, activation: activation)),
            ("gate", Module("DeepseekV3TopkRouter", entries: [
                .init("weight", [experts, shape.hidden]), .init("e_score_correction_bias", [experts], kind: .buffer)])),
            ("shared_experts", DecoderStack.gatedMLP("DeepseekV3MLP", hidden: shape.hidden, intermediate: expertSize * shared,
                                                     activation: activation)),
        ])
        let dense = DecoderStack.gatedMLP("DeepseekV3MLP", hidden: shape.hidden, intermediate: shape.intermediate,
                                          activation: activation)
        let layers = (0..<shape.layers).map { index in
            Module("DeepseekV3DecoderLayer", children: [
                ("self_attn", attention),
                ("mlp", index >= firstSparse ? moe : dense),
                ("input_layernorm", .rmsNorm("DeepseekV3RMSNorm", shape.hidden)),
                ("post_attention_layernorm", .rmsNorm("DeepseekV3RMSNorm", shape.hidden)),
            ])
        }
        var rotaryShape = shape
        rotaryShape.headDim = try config.positiveInt("qk_rope_head_dim", default: 64)
        let module = DecoderStack.base(
            className: "DeepseekV3Model", shape: shape, layers: layers, norm: "DeepseekV3RMSNorm",
            rotary: try DecoderStack.rotaryEmbedding("DeepseekV3", config, shape: rotaryShape),
            tp: MixtureOfExperts.expertsPlan
                + [("layers.*.mlp.shared_experts.gate_proj", "colwise"), ("layers.*.mlp.shared_experts.up_proj", "colwise"),
                   ("layers.*.mlp.shared_experts.down_proj", "rowwise")] + DecoderStack.mlpPlan,
            ep: MixtureOfExperts.expertParallelPlan)
        return (module, shape)
    }

    /// `DeepseekV3Attention`: low-rank query (or a full `q_proj`) and the compressed key/value path.
    static func attention(_ config: ModelConfig, shape: DecoderShape) throws(PretrainedError) -> Module {
        let bias = try config.bool("attention_bias", default: false)
        let rope = try config.positiveInt("qk_rope_head_dim", default: 64)
        let nope = try config.positiveInt("qk_nope_head_dim", default: 128)
        let value = try config.positiveInt("v_head_dim", default: 128)
        let keyValueRank = try config.positiveInt("kv_lora_rank", default: 512)
        let queryRank: Int? = config.json["q_lora_rank"]?.isNull == true
            ? nil : try config.positiveInt("q_lora_rank", default: 1536)
        let queryWidth = try config.dimension("q_b_proj", [[shape.heads, nope], [shape.heads, rope]])
        let keyValueWidth = try config.dimension("kv_b_proj", [[shape.heads, nope], [shape.heads, value]])
        let query: [(String, Module)] = if let queryRank {
            [("q_a_proj", .linear(in: shape.hidden, out: queryRank, bias: bias)),
             ("q_a_layernorm", .rmsNorm("DeepseekV3RMSNorm", queryRank)),
             ("q_b_proj", .linear(in: queryRank, out: queryWidth, bias: false))]
        } else {
            [("q_proj", .linear(in: shape.hidden, out: queryWidth, bias: false))]
        }
        return Module("DeepseekV3Attention", children: query + [
            ("kv_a_proj_with_mqa", .linear(in: shape.hidden, out: keyValueRank + rope, bias: bias)),
            ("kv_a_layernorm", .rmsNorm("DeepseekV3RMSNorm", keyValueRank)),
            ("kv_b_proj", .linear(in: keyValueRank, out: keyValueWidth, bias: false)),
            ("o_proj", .linear(in: shape.heads * value, out: shape.hidden, bias: bias)),
        ])
    }
}
