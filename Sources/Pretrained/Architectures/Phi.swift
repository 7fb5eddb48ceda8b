/// Phi (`PhiModel`, `PhiForCausalLM`): biased projections named `dense`, `fc1`/`fc2` MLP, one
/// LayerNorm per layer (optional q/k LayerNorms per head), a biased `lm_head`, and a partial RoPE
/// (`partial_rotary_factor`, 0.5 by default).
struct PhiArchitecture: DecoderClass {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 51200, hidden: 2048, intermediate: 8192, layers: 24, heads: 32, keyValueHeads: nil, headDim: nil)

    let head: DecoderHead
    let prefix = "Phi"
    let modelType = "phi"
    let baseModelPrefix = "model"
    let tiesByDefault = false
    let lmHeadBias = true
    let noSplitModules = ["PhiDecoderLayer"]
    let ignoreOnLoadUnexpected = [#"rotary_emb\.inv_freq"#]

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        var attention: [(String, Module)] = [
            ("q_proj", .linear(in: shape.hidden, out: shape.heads * shape.headDim)),
            ("k_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim)),
            ("v_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim)),
            ("dense", .linear(in: shape.heads * shape.headDim, out: shape.hidden)),
        ]
        if try config.bool("qk_layernorm", default: false) {
            attention += [("q_layernorm", .layerNorm(shape.headDim)), ("k_layernorm", .layerNorm(shape.headDim))]
        }
        let layer = Module("PhiDecoderLayer", children: [
            ("self_attn", Module("PhiAttention", children: attention)),
            ("mlp", Module("PhiMLP", children: [
                ("activation_fn", try Activation.module(config, key: "hidden_act", default: "gelu_new")),
                ("fc1", .linear(in: shape.hidden, out: shape.intermediate)),
                ("fc2", .linear(in: shape.intermediate, out: shape.hidden)),
            ])),
            ("input_layernorm", .layerNorm(shape.hidden)),
            ("resid_dropout", .dropout),
        ])
        let plans = ParallelPlans(
            tp: [("embed_tokens", "embedding_rowwise"), ("layers.*.self_attn.q_proj", "colwise"),
                 ("layers.*.self_attn.k_proj", "colwise"), ("layers.*.self_attn.v_proj", "colwise"),
                 ("layers.*.self_attn.dense", "rowwise"), ("layers.*.mlp.fc1", "colwise"), ("layers.*.mlp.fc2", "rowwise")],
            pp: [("embed_tokens", ["input_ids"], ["inputs_embeds"]), ("embed_dropout", ["inputs_embeds"], ["inputs_embeds"]),
                 ("layers", ["hidden_states", "attention_mask"], ["hidden_states"]),
                 ("final_layernorm", ["hidden_states"], ["hidden_states"])])
        let module = Module("PhiModel", children: [
            ("embed_tokens", .embedding(shape.vocab, shape.hidden)),
            ("layers", .list(Array(repeating: layer, count: shape.layers))),
            ("rotary_emb", try DecoderStack.rotaryEmbedding("Phi", config, shape: shape, partialFactor: ([], 0.5))),
            ("embed_dropout", .dropout),
            ("final_layernorm", .layerNorm(shape.hidden)),
        ], plans: plans)
        return (module, shape)
    }
}
