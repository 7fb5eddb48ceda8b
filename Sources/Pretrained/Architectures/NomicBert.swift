/// NomicBERT (`NomicBertModel`; nomic-embed-text): post-norm layers with bias-free rotary
/// attention and a gated SiLU MLP, with `NomicBertConfig`'s defaults. Checkpoints in the original
/// layout (`encoder.layers.N.attn.Wqkv`, `mlp.fc11/fc12/fc2`, `norm1/norm2`, `emb_ln`, which is
/// also what `transformers` 5 writes) are renamed and the fused `Wqkv` cut into `q/k/v_proj` on
/// load, as `transformers`' conversion mapping does.
struct NomicBertArchitecture: Architecture {
    let name = "NomicBertModel"
    let modelType = "nomic_bert"
    let baseModelPrefix = "nomic_bert"
    let isBaseModel = true
    let noSplitModules = ["NomicBertEmbeddings", "NomicBertLayer"]
    /// The class's `inv_freq` patterns, plus `position_ids` and `rotary_emb.inv_freq` (the
    /// patterns `transformers` adds for models holding those buffers).
    let ignoreOnLoadUnexpected = ["inv_freq", "original_inv_freq", #"(^|\.)position_ids$"#, #"rotary_emb\.inv_freq"#]
    var conversions: [WeightConversion] {
        [.rename(pattern: "encoder.layers", replacement: "layers"),
         .rename(pattern: "emb_ln", replacement: "embeddings.LayerNorm"),
         .rename(pattern: "attn.out_proj", replacement: "self_attn.o_proj"),
         .rename(pattern: "fc11", replacement: "up_proj"),
         .rename(pattern: "fc12", replacement: "gate_proj"),
         .rename(pattern: "fc2", replacement: "down_proj"),
         .rename(pattern: "norm1", replacement: "post_attention_layernorm"),
         .rename(pattern: "norm2", replacement: "post_mlp_layernorm"),
         .split(source: "attn.Wqkv", targets: ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"])]
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 30528)
        let hidden = try config.positiveInt("hidden_size", default: 768)
        let layers = try config.count("num_hidden_layers", default: 12)
        let heads = try config.attentionHeads("num_attention_heads", default: 12, dividing: nil)  // head_dim floors
        let intermediate = try config.positiveInt("intermediate_size", default: 3072)
        let positions = try config.positiveInt("max_position_embeddings", default: 2048)
        let typeVocab = try config.int("type_vocab_size", default: 2)
        let headDim = try config.positiveInt("head_dim", default: hidden / heads)
        let activation = try Activation.module(config, key: "hidden_act", default: "silu")
        let width = heads * headDim

        let embeddings = Module("NomicBertEmbeddings", entries: [
            .nonPersistentBuffer("position_ids", [1, positions], dtype: .i64),
            .nonPersistentBuffer("token_type_ids", [1, positions], dtype: .i64),
        ], children: [("word_embeddings", .embedding(vocab, hidden)), ("token_type_embeddings", .embedding(typeVocab, hidden)),
                      ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout)])
        let frequencies = (headDim + 1) / 2
        let rotary = Module("NomicBertRotaryEmbedding", entries: [
            .nonPersistentBuffer("inv_freq", [frequencies], dtype: .f32),
            .nonPersistentBuffer("original_inv_freq", [frequencies], dtype: .f32),
        ])
        let layer = Module("NomicBertLayer", children: [
            ("post_attention_layernorm", .layerNorm(hidden)), ("post_attention_dropout", .dropout),
            ("post_mlp_dropout", .dropout),
            ("mlp", Module("NomicBertMLP", children: [
                ("gate_proj", .linear(in: hidden, out: intermediate, bias: false)),
                ("up_proj", .linear(in: hidden, out: intermediate, bias: false)),
                ("down_proj", .linear(in: intermediate, out: hidden, bias: false)), ("act_fn", activation),
            ])),
            ("self_attn", Module("NomicBertAttention", children: [
                ("q_proj", .linear(in: hidden, out: width, bias: false)),
                ("k_proj", .linear(in: hidden, out: width, bias: false)),
                ("v_proj", .linear(in: hidden, out: width, bias: false)),
                ("o_proj", .linear(in: width, out: hidden, bias: false)),
            ])),
            ("post_mlp_layernorm", .layerNorm(hidden)),
        ])
        return Module(name, children: [("embeddings", embeddings), ("rotary_emb", rotary),
                                       ("layers", .list(Array(repeating: layer, count: layers)))])
    }
}
