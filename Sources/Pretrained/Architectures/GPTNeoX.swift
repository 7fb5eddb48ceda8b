/// GPT-NeoX (`GPTNeoXModel`, `GPTNeoXForCausalLM`): fused `query_key_value`, LayerNorms with
/// biases, the input embedding `embed_in` under `gpt_neox`, and a partial RoPE (`rotary_pct`,
/// 0.25 by default). Checkpoints name the head `embed_out`; the causal LM renames it to `lm_head`
/// as `transformers` 5's conversion mapping does.
struct GPTNeoXArchitecture: DecoderClass {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 50432, hidden: 6144, intermediate: 24576, layers: 44, heads: 64, keyValueHeads: nil, headDim: nil)

    let head: DecoderHead
    let prefix = "GPTNeoX"
    let modelType = "gpt_neox"
    let baseModelPrefix = "gpt_neox"
    let embeddingName = "embed_in"
    let tiesByDefault = false
    let noSplitModules = ["GPTNeoXLayer"]
    let ignoreOnLoadUnexpected = ["attention.bias", "attention.masked_bias", #"rotary_emb\.inv_freq"#]

    var conversions: [WeightConversion] {
        head == .causalLM ? [.rename(pattern: #"^embed_out\."#, replacement: "lm_head.")] : []
    }

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        let bias = try config.bool("attention_bias", default: true)
        let queryKeyValue = try config.dimension("query_key_value", [[3, shape.heads, shape.headDim]])
        let layer = Module("GPTNeoXLayer", children: [
            ("input_layernorm", .layerNorm(shape.hidden)),
            ("post_attention_layernorm", .layerNorm(shape.hidden)),
            ("post_attention_dropout", .dropout),
            ("post_mlp_dropout", .dropout),
            ("attention", Module("GPTNeoXAttention", children: [
                ("query_key_value", .linear(in: shape.hidden, out: queryKeyValue, bias: bias)),
                ("dense", .linear(in: shape.heads * shape.headDim, out: shape.hidden, bias: bias)),
            ])),
            ("mlp", Module("GPTNeoXMLP", children: [
                ("dense_h_to_4h", .linear(in: shape.hidden, out: shape.intermediate)),
                ("dense_4h_to_h", .linear(in: shape.intermediate, out: shape.hidden)),
                ("act", try Activation.module(config, key: "hidden_act", default: "gelu")),
            ])),
        ])
        let plans = ParallelPlans(
            tp: [("layers.*.attention.query_key_value", "colwise"), ("layers.*.attention.dense", "rowwise"),
                 ("layers.*.mlp.dense_h_to_4h", "colwise"), ("layers.*.mlp.dense_4h_to_h", "rowwise")],
            pp: [("embed_in", ["input_ids"], ["inputs_embeds"]), ("emb_dropout", ["inputs_embeds"], ["hidden_states"]),
                 ("layers", ["hidden_states", "attention_mask"], ["hidden_states"]),
                 ("final_layer_norm", ["hidden_states"], ["hidden_states"])])
        let module = Module("GPTNeoXModel", children: [
            ("embed_in", .embedding(shape.vocab, shape.hidden)),
            ("emb_dropout", .dropout),
            ("layers", .list(Array(repeating: layer, count: shape.layers))),
            ("final_layer_norm", .layerNorm(shape.hidden)),
            ("rotary_emb", try DecoderStack.rotaryEmbedding("GPTNeoX", config, shape: shape,
                                                            partialFactor: (["rotary_pct"], 0.25))),
        ], plans: plans)
        return (module, shape)
    }
}
