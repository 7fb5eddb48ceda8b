/// Mixtral (`MixtralModel`, `MixtralForCausalLM`) with `transformers` 5's fused expert slots:
/// `mlp.experts.gate_up_proj [E, 2I, H]` and `mlp.experts.down_proj [E, H, I]`. Checkpoints with
/// per-expert `block_sparse_moe.experts.E.w1/w2/w3` keys are converted while loading.
struct MixtralArchitecture: Architecture {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 32000, hidden: 4096, intermediate: 14336, layers: 32, heads: 32, keyValueHeads: 8, headDim: nil)

    let isBaseModel: Bool
    let modelType = "mixtral"
    let baseModelPrefix = "model"
    let tiesByDefault = false
    let noSplitModules = ["MixtralDecoderLayer"]
    let ignoreOnLoadUnexpected = [#"rotary_emb\.inv_freq"#]
    let conversions: [WeightConversion] = [
        .rename(pattern: #"\.block_sparse_moe\."#, replacement: ".mlp."),
        .mergeExperts(sources: [".experts.*.w1.weight", ".experts.*.w3.weight"], target: ".experts.gate_up_proj"),
        .mergeExperts(sources: [".experts.*.w2.weight"], target: ".experts.down_proj"),
    ]

    var name: String { isBaseModel ? "MixtralModel" : "MixtralForCausalLM" }
    var tiedWeightsKeys: [(target: String, source: String)] {
        isBaseModel ? [] : [("lm_head.weight", "model.embed_tokens.weight")]
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        let experts = try config.count("num_local_experts", default: 8)
        let attention = Module("MixtralAttention", children: [
            ("q_proj", .linear(in: shape.hidden, out: shape.heads * shape.headDim, bias: false)),
            ("k_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: false)),
            ("v_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: false)),
            ("o_proj", .linear(in: shape.heads * shape.headDim, out: shape.hidden, bias: false)),
        ])
        let mlp = Module("MixtralSparseMoeBlock", children: [
            ("gate", Module("MixtralTopKRouter", entries: [.init("weight", [experts, shape.hidden])])),
            ("experts", Module("MixtralExperts", entries: [
                .init("gate_up_proj", [experts, 2 * shape.intermediate, shape.hidden]),
                .init("down_proj", [experts, shape.hidden, shape.intermediate]),
            ], children: [("act_fn", try Activation.module(config, key: "hidden_act", default: "silu"))])),
        ])
        let layer = Module("MixtralDecoderLayer", children: [
            ("self_attn", attention),
            ("mlp", mlp),
            ("input_layernorm", .rmsNorm("MixtralRMSNorm", shape.hidden)),
            ("post_attention_layernorm", .rmsNorm("MixtralRMSNorm", shape.hidden)),
        ])
        let base = DecoderStack.base(
            className: "MixtralModel", shape: shape, layer: layer, norm: "MixtralRMSNorm",
            rotary: try DecoderStack.rotaryEmbedding("Mixtral", config, shape: shape),
            tp: [("layers.*.self_attn.q_proj", "colwise"), ("layers.*.self_attn.k_proj", "colwise"),
                 ("layers.*.self_attn.v_proj", "colwise"), ("layers.*.self_attn.o_proj", "rowwise"),
                 ("layers.*.mlp.experts.gate_up_proj", "packed_colwise"),
                 ("layers.*.mlp.experts.down_proj", "rowwise"), ("layers.*.mlp.experts", "moe_tp_experts")],
            ep: [("layers.*.mlp.experts.gate_up_proj", "grouped_gemm"),
                 ("layers.*.mlp.experts.down_proj", "grouped_gemm"), ("layers.*.mlp.experts", "ep_dispatch_experts")])
        return isBaseModel ? base : DecoderStack.causalLM(className: name, base: base, shape: shape)
    }
}
