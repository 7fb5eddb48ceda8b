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
        let layers = try config.int("num_hidden_layers", default: 12)
        let intermediate = try config.positiveInt("intermediate_size", default: 3072)
        let positions = try config.positiveInt("max_position_embeddings", default: 512)
        let typeVocab = try config.positiveInt("type_vocab_size", default: 2)

        let embeddings = Module("BertEmbeddings", children: [
            ("word_embeddings", .embedding(vocab, hidden)),
            ("position_embeddings", .embedding(positions, hidden)),
            ("token_type_embeddings", .embedding(typeVocab, hidden)),
            ("LayerNorm", .layerNorm(hidden)),
        ])
        let layer = Module("BertLayer", children: [
            ("attention", Module("BertAttention", children: [
                ("self", Module("BertSelfAttention", children: [
                    ("query", .linear(in: hidden, out: hidden)), ("key", .linear(in: hidden, out: hidden)),
                    ("value", .linear(in: hidden, out: hidden)),
                ])),
                ("output", Module("BertSelfOutput", children: [("dense", .linear(in: hidden, out: hidden)),
                                                                ("LayerNorm", .layerNorm(hidden))])),
            ])),
            ("intermediate", Module("BertIntermediate", children: [("dense", .linear(in: hidden, out: intermediate))])),
            ("output", Module("BertOutput", children: [("dense", .linear(in: intermediate, out: hidden)),
                                                       ("LayerNorm", .layerNorm(hidden))])),
        ])
        var base: [(String, Module)] = [
            ("embeddings", embeddings),
            ("encoder", Module("BertEncoder", children: [("layer", .list(Array(repeating: layer, count: layers)))])),
        ]
        switch head {
        case .none:
            base.append(("pooler", Module("BertPooler", children: [("dense", .linear(in: hidden, out: hidden))])))
            return Module(name, children: base)
        case .maskedLM:
            let predictions = Module("BertLMPredictionHead", entries: [.init("bias", [vocab])], children: [
                ("transform", Module("BertPredictionHeadTransform", children: [
                    ("dense", .linear(in: hidden, out: hidden)), ("LayerNorm", .layerNorm(hidden)),
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
