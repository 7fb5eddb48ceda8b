/// MPNet (`MPNetModel`, `MPNetForMaskedLM`; all-mpnet-base-v2): BERT-like embeddings without token
/// types, a fused attention block (`attn.q/k/v/o`) and one relative-position bias table shared by
/// the layers, with `MPNetConfig`'s defaults.
struct MPNetArchitecture: Architecture {
    let isBaseModel: Bool
    let modelType = "mpnet"
    let baseModelPrefix = "mpnet"
    let ignoreOnLoadUnexpected = [#"(^|\.)position_ids$"#]

    var name: String { isBaseModel ? "MPNetModel" : "MPNetForMaskedLM" }
    var tiedWeightsKeys: [(target: String, source: String)] {
        isBaseModel ? [] : [("lm_head.decoder.weight", "mpnet.embeddings.word_embeddings.weight"),
                            ("lm_head.decoder.bias", "lm_head.bias")]
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let encoder = try BertLikeEncoder(config, prefix: "MPNet", defaultVocab: 30527)
        let hidden = encoder.hidden
        let heads = try config.positiveInt("num_attention_heads", default: 12)
        let buckets = try config.positiveInt("relative_attention_num_buckets", default: 32)
        let embeddings = Module("MPNetEmbeddings", entries: [
            .nonPersistentBuffer("position_ids", [1, encoder.positions], dtype: .i64),
        ], children: [
            ("word_embeddings", .embedding(encoder.vocab, hidden)),
            ("position_embeddings", .embedding(encoder.positions, hidden)),
            ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout),
        ])
        let attention = Module("MPNetAttention", children: [
            ("attn", Module("MPNetSelfAttention", children: [
                ("q", .linear(in: hidden, out: hidden)), ("k", .linear(in: hidden, out: hidden)),
                ("v", .linear(in: hidden, out: hidden)), ("o", .linear(in: hidden, out: hidden)), ("dropout", .dropout),
            ])),
            ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout),
        ])
        let layer = Module("MPNetLayer", children: [("attention", attention)] + encoder.feedForward)
        var base: [(String, Module)] = [
            ("embeddings", embeddings),
            ("encoder", Module("MPNetEncoder", children: [("layer", .list(Array(repeating: layer, count: encoder.layers))),
                                                          ("relative_attention_bias", .embedding(buckets, heads))])),
        ]
        if isBaseModel {
            base.append(("pooler", Module("MPNetPooler", children: [("dense", .linear(in: hidden, out: hidden)),
                                                                    ("activation", .stateless("Tanh"))])))
            return Module(name, children: base)
        }
        return Module(name, children: [
            ("mpnet", Module("MPNetModel", children: base)),
            ("lm_head", Module("MPNetLMHead", entries: [.init("bias", [encoder.vocab])], children: [
                ("dense", .linear(in: hidden, out: hidden)), ("layer_norm", .layerNorm(hidden)),
                ("decoder", .linear(in: hidden, out: encoder.vocab)),
            ])),
        ])
    }
}
