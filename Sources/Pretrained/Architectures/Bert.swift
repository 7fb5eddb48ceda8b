/// BERT (`BertModel`, `BertForMaskedLM`), with `BertConfig`'s defaults.
struct BertArchitecture: Architecture {
    enum Head: Sendable { case none, maskedLM }

    let head: Head
    let modelType = "bert"
    let baseModelPrefix = "bert"
    let noSplitModules = ["BertEmbeddings", "BertLayer"]
    let ignoreOnLoadUnexpected = [#"(^|\.)position_ids$"#]

    var name: String { head == .none ? "BertModel" : "BertForMaskedLM" }
    var isBaseModel: Bool { head == .none }
    var tiedWeightsKeys: [(target: String, source: String)] {
        switch head {
        case .none: return []
        case .maskedLM:
            return [("cls.predictions.decoder.weight", "bert.embeddings.word_embeddings.weight"),
                    ("cls.predictions.decoder.bias", "cls.predictions.bias")]
        }
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 30522)
        let hidden = try config.positiveInt("hidden_size", default: 768)
        let layers = try config.count("num_hidden_layers", default: 12)
        let intermediate = try config.positiveInt("intermediate_size", default: 3072)
        let positions = try config.positiveInt("max_position_embeddings", default: 512)
        let typeVocab = try config.positiveInt("type_vocab_size", default: 2)
        _ = try config.attentionHeads("num_attention_heads", default: 12,
                                      dividing: config.has("embedding_size") ? nil : ("hidden_size", hidden))
        let activation = try Activation.module(config, key: "hidden_act", default: "gelu")

        // position_ids (arange) and token_type_ids (zeros): non-persistent int64 [1, positions].
        let embeddings = Module("BertEmbeddings", entries: [
            .nonPersistentBuffer("position_ids", [1, positions], dtype: .i64),
            .nonPersistentBuffer("token_type_ids", [1, positions], dtype: .i64),
        ], children: [
            ("word_embeddings", .embedding(vocab, hidden)),
            ("position_embeddings", .embedding(positions, hidden)),
            ("token_type_embeddings", .embedding(typeVocab, hidden)),
            ("LayerNorm", .layerNorm(hidden)),
            ("dropout", .dropout),
        ])
        let layer = Module("BertLayer", children: [
            ("attention", Module("BertAttention", children: [
                ("self", Module("BertSelfAttention", children: [
                    ("query", .linear(in: hidden, out: hidden)), ("key", .linear(in: hidden, out: hidden)),
                    ("value", .linear(in: hidden, out: hidden)), ("dropout", .dropout),
                ])),
                ("output", Module("BertSelfOutput", children: [("dense", .linear(in: hidden, out: hidden)),
                                                                ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout)])),
            ])),
            ("intermediate", Module("BertIntermediate", children: [("dense", .linear(in: hidden, out: intermediate)),
                                                                   ("intermediate_act_fn", activation)])),
            ("output", Module("BertOutput", children: [("dense", .linear(in: intermediate, out: hidden)),
                                                       ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout)])),
        ])
        var base: [(String, Module)] = [
            ("embeddings", embeddings),
            ("encoder", Module("BertEncoder", children: [("layer", .list(Array(repeating: layer, count: layers)))])),
        ]
        switch head {
        case .none:
            base.append(("pooler", Module("BertPooler", children: [("dense", .linear(in: hidden, out: hidden)),
                                                                   ("activation", .stateless("Tanh"))])))
            return Module(name, children: base)
        case .maskedLM:
            let predictions = Module("BertLMPredictionHead", entries: [.init("bias", [vocab])], children: [
                ("transform", Module("BertPredictionHeadTransform", children: [
                    ("dense", .linear(in: hidden, out: hidden)), ("transform_act_fn", activation),
                    ("LayerNorm", .layerNorm(hidden)),
                ])),
                ("decoder", .linear(in: hidden, out: vocab)),
            ])
            return Module(name, children: [
                ("bert", Module("BertModel", children: base)),
                ("cls", Module("BertOnlyMLMHead", children: [("predictions", predictions)])),
            ])
        }
    }
}
