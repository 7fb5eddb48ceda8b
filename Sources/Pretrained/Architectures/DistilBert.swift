/// DistilBERT (`DistilBertModel`, `DistilBertForMaskedLM`, `DistilBertForSequenceClassification`),
/// with `DistilBertConfig`'s names (`dim`, `n_layers`, `hidden_dim`, `activation`; `hidden_size`
/// and `num_hidden_layers` through its `attribute_map`) and defaults.
struct DistilBertArchitecture: Architecture {
    enum Head: String, Sendable, CaseIterable {
        case none = "Model", maskedLM = "ForMaskedLM", sequenceClassification = "ForSequenceClassification"
    }

    let head: Head
    let modelType = "distilbert"
    let baseModelPrefix = "distilbert"
    let ignoreOnLoadUnexpected = [#"(^|\.)position_ids$"#]

    var name: String { "DistilBert" + head.rawValue }
    var isBaseModel: Bool { head == .none }
    var tiedWeightsKeys: [(target: String, source: String)] {
        head == .maskedLM ? [("vocab_projector.weight", "distilbert.embeddings.word_embeddings.weight")] : []
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 30522)
        let dim = try config.positiveInt(anyOf: ["hidden_size", "dim"], default: 768)
        _ = try config.attentionHeads(config.has("num_attention_heads") ? "num_attention_heads" : "n_heads", default: 12,
                                      dividing: ("dim", dim))
        let layers = try config.count(anyOf: ["num_hidden_layers", "n_layers"], default: 6)
        let hiddenDim = try config.positiveInt("hidden_dim", default: 4 * 768)
        let positions = try config.positiveInt("max_position_embeddings", default: 512)
        let activation = try Activation.module(config, key: "activation", default: "gelu")

        // Sinusoidal position embeddings (`sinusoidal_pos_embds`) are still an Embedding's weight.
        let embeddings = Module("Embeddings", entries: [.nonPersistentBuffer("position_ids", [1, positions], dtype: .i64)],
                                children: [("word_embeddings", .embedding(vocab, dim)),
                                           ("position_embeddings", .embedding(positions, dim)),
                                           ("LayerNorm", .layerNorm(dim)), ("dropout", .dropout)])
        let block = Module("TransformerBlock", children: [
            ("attention", Module("DistilBertSelfAttention", children: [
                ("q_lin", .linear(in: dim, out: dim)), ("k_lin", .linear(in: dim, out: dim)),
                ("v_lin", .linear(in: dim, out: dim)), ("out_lin", .linear(in: dim, out: dim)), ("dropout", .dropout),
            ])),
            ("sa_layer_norm", .layerNorm(dim)),
            ("ffn", Module("FFN", children: [("dropout", .dropout), ("lin1", .linear(in: dim, out: hiddenDim)),
                                             ("lin2", .linear(in: hiddenDim, out: dim)), ("activation", activation)])),
            ("output_layer_norm", .layerNorm(dim)),
        ])
        let base: [(String, Module)] = [
            ("embeddings", embeddings),
            ("transformer", Module("Transformer", children: [("layer", .list(Array(repeating: block, count: layers)))])),
        ]
        let model = ("distilbert", Module("DistilBertModel", children: base))
        switch head {
        case .none:
            return Module(name, children: base)
        case .maskedLM:
            return Module(name, children: [
                ("activation", activation), model,
                ("vocab_transform", .linear(in: dim, out: dim)), ("vocab_layer_norm", .layerNorm(dim)),
                ("vocab_projector", .linear(in: dim, out: vocab)), ("mlm_loss_fct", .stateless("CrossEntropyLoss")),
            ])
        case .sequenceClassification:
            return Module(name, children: [
                model, ("pre_classifier", .linear(in: dim, out: dim)),
                ("classifier", .linear(in: dim, out: try config.labelCount())), ("dropout", .dropout),
            ])
        }
    }
}
