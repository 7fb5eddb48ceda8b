/// BERT (`BertModel`, `BertForMaskedLM`, `BertForSequenceClassification`,
/// `BertForTokenClassification`, `BertForQuestionAnswering`), RoBERTa and XLM-RoBERTa (`*Model`,
/// `*ForMaskedLM`, `*ForSequenceClassification`): one BERT-like encoder, the family's heads.
struct BertLikeArchitecture: Architecture {
    enum Head: String, Sendable {
        case none = "Model", maskedLM = "ForMaskedLM", sequenceClassification = "ForSequenceClassification"
        case tokenClassification = "ForTokenClassification", questionAnswering = "ForQuestionAnswering"
    }

    let family: BertLikeEncoder.Family
    let head: Head

    var name: String { family.classPrefix + head.rawValue }
    var modelType: String { family.modelType }
    var baseModelPrefix: String { family.baseModelPrefix }
    var isBaseModel: Bool { head == .none }
    var noSplitModules: [String] { [family.classPrefix + "Embeddings", family.classPrefix + "Layer"] }
    var ignoreOnLoadUnexpected: [String] { [#"(^|\.)position_ids$"#] }
    var tiedWeightsKeys: [(target: String, source: String)] {
        guard head == .maskedLM else { return [] }
        let embeddings = baseModelPrefix + ".embeddings.word_embeddings.weight"
        if family.bertHeads {
            return [("cls.predictions.decoder.weight", embeddings), ("cls.predictions.decoder.bias", "cls.predictions.bias")]
        }
        return [("lm_head.decoder.weight", embeddings), ("lm_head.decoder.bias", "lm_head.bias")]
    }

    /// Every class this file provides, in registration order.
    static var all: [BertLikeArchitecture] {
        [Head.none, .maskedLM, .sequenceClassification, .tokenClassification, .questionAnswering].map {
            BertLikeArchitecture(family: .bert, head: $0)
        } + [BertLikeEncoder.Family.roberta, .xlmRoberta].flatMap { family in
            [Head.none, .maskedLM, .sequenceClassification].map { BertLikeArchitecture(family: family, head: $0) }
        }
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let encoder = try BertLikeEncoder(config, prefix: family.classPrefix, defaultVocab: family.defaultVocab)
        let hidden = encoder.hidden
        // Heads without a pooler build the base with `add_pooling_layer=False`; BERT's sequence
        // classifier keeps it (it classifies the pooled output).
        let pooled = head == .none || (head == .sequenceClassification && family.bertHeads)
        let base = encoder.base(positionEmbeddingsLast: family.positionEmbeddingsLast, pooler: pooled)
        let headModules: [(String, Module)]
        switch head {
        case .none:
            return Module(name, children: base.children)
        case .maskedLM where family.bertHeads:
            let predictions = Module("BertLMPredictionHead", entries: [.init("bias", [encoder.vocab])], children: [
                ("transform", Module("BertPredictionHeadTransform", children: [
                    ("dense", .linear(in: hidden, out: hidden)), ("transform_act_fn", encoder.activation),
                    ("LayerNorm", .layerNorm(hidden)),
                ])),
                ("decoder", .linear(in: hidden, out: encoder.vocab)),
            ])
            headModules = [("cls", Module("BertOnlyMLMHead", children: [("predictions", predictions)]))]
        case .maskedLM:
            headModules = [("lm_head", Module(family.classPrefix + "LMHead", entries: [.init("bias", [encoder.vocab])], children: [
                ("dense", .linear(in: hidden, out: hidden)), ("layer_norm", .layerNorm(hidden)),
                ("decoder", .linear(in: hidden, out: encoder.vocab)),
            ]))]
        case .sequenceClassification where family.bertHeads:
            headModules = [("dropout", .dropout), ("classifier", .linear(in: hidden, out: try config.labelCount()))]
        case .sequenceClassification:
            headModules = [("classifier", Module(family.classPrefix + "ClassificationHead", children: [
                ("dense", .linear(in: hidden, out: hidden)), ("dropout", .dropout),
                ("out_proj", .linear(in: hidden, out: try config.labelCount())),
            ]))]
        case .tokenClassification:
            headModules = [("dropout", .dropout), ("classifier", .linear(in: hidden, out: try config.labelCount()))]
        case .questionAnswering:
            headModules = [("qa_outputs", .linear(in: hidden, out: try config.labelCount()))]
        }
        let baseModule = (baseModelPrefix, base)
        return Module(name, children: family.headsBeforeBase ? headModules + [baseModule] : [baseModule] + headModules)
    }
}
