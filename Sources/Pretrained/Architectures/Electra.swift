/// ELECTRA (`ElectraModel`, `ElectraForPreTraining`, `ElectraForMaskedLM`): the BERT-like encoder
/// with embeddings of their own width (`embedding_size`, projected when it differs from
/// `hidden_size`), no pooler, and `ElectraConfig`'s defaults.
struct ElectraArchitecture: Architecture {
    enum Head: String, Sendable, CaseIterable { case none = "Model", preTraining = "ForPreTraining", maskedLM = "ForMaskedLM" }

    let head: Head
    let modelType = "electra"
    let baseModelPrefix = "electra"
    let ignoreOnLoadUnexpected = [#"(^|\.)position_ids$"#]

    var name: String { "Electra" + head.rawValue }
    var isBaseModel: Bool { head == .none }
    var tiedWeightsKeys: [(target: String, source: String)] {
        head == .maskedLM ? [("generator_lm_head.weight", "electra.embeddings.word_embeddings.weight")] : []
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let encoder = try BertLikeEncoder(config, prefix: "Electra", defaultVocab: 30522, defaultHidden: 256,
                                          defaultIntermediate: 1024)
        let width = try config.positiveInt("embedding_size", default: 128)
        var base: [(String, Module)] = [("embeddings", encoder.embeddings(positionEmbeddingsLast: false, width: width))]
        if width != encoder.hidden { base.append(("embeddings_project", .linear(in: width, out: encoder.hidden))) }
        base.append(("encoder", encoder.encoder))
        let hidden = encoder.hidden
        switch head {
        case .none:
            return Module(name, children: base)
        case .preTraining:
            return Module(name, children: [
                ("electra", Module("ElectraModel", children: base)),
                ("discriminator_predictions", Module("ElectraDiscriminatorPredictions", children: [
                    ("dense", .linear(in: hidden, out: hidden)), ("activation", encoder.activation),
                    ("dense_prediction", .linear(in: hidden, out: 1)),
                ])),
            ])
        case .maskedLM:
            // The generator head's activation is always `gelu` (`get_activation("gelu")`).
            return Module(name, children: [
                ("electra", Module("ElectraModel", children: base)),
                ("generator_predictions", Module("ElectraGeneratorPredictions", children: [
                    ("activation", Activation.module("gelu")), ("LayerNorm", .layerNorm(width)),
                    ("dense", .linear(in: hidden, out: width)),
                ])),
                ("generator_lm_head", .linear(in: width, out: encoder.vocab)),
            ])
        }
    }
}
