/// The classes a decoder-only family ships: the base model, the causal LM (`lm_head`, tied to the
/// input embedding when `tie_word_embeddings` allows) and the sequence classifier (`score`, as
/// `GenericForSequenceClassification` builds it).
enum DecoderHead: Sendable, CaseIterable {
    case base
    case causalLM
    case sequenceClassification
}

/// A decoder-only class: a family states its base model once; the heads, class names and tied
/// keys follow from it.
protocol DecoderClass: Architecture {
    /// Which class of the family this is.
    var head: DecoderHead { get }
    /// The class-name prefix: `Gemma` gives `GemmaForCausalLM`.
    var prefix: String { get }
    /// The base model's class (`GemmaModel`; `Gemma3TextModel`).
    var baseClass: String { get }
    /// The attribute of the input embedding inside the base model (`embed_tokens`, `embed_in`).
    var embeddingName: String { get }
    /// Whether `lm_head` has a bias (Phi).
    var lmHeadBias: Bool { get }
    /// The base model's tree and its sizes.
    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape)
}

extension DecoderClass {
    var baseClass: String { prefix + "Model" }
    var embeddingName: String { "embed_tokens" }
    var lmHeadBias: Bool { false }

    var name: String {
        switch head {
        case .base: baseClass
        case .causalLM: prefix + "ForCausalLM"
        case .sequenceClassification: prefix + "ForSequenceClassification"
        }
    }

    var isBaseModel: Bool { head == .base }

    var tiedWeightsKeys: [(target: String, source: String)] {
        head == .causalLM ? [("lm_head.weight", "\(baseModelPrefix).\(embeddingName).weight")] : []
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let (module, shape) = try base(config)
        switch head {
        case .base:
            return module
        case .causalLM:
            return Module(name, children: [(baseModelPrefix, module),
                                           ("lm_head", .linear(in: shape.hidden, out: shape.vocab, bias: lmHeadBias))],
                          plans: ParallelPlans(tp: [("lm_head", "colwise_gather_output")],
                                               pp: [("lm_head", ["hidden_states"], ["logits"])]))
        case .sequenceClassification:
            let labels = try DecoderHead.labelCount(config)
            return Module(name, children: [(baseModelPrefix, module),
                                           ("score", .linear(in: shape.hidden, out: labels, bias: false))])
        }
    }
}

extension DecoderHead {
    /// `config.num_labels`: the size of `id2label` when present, else `num_labels`, else 2.
    static func labelCount(_ config: ModelConfig) throws(PretrainedError) -> Int {
        if let labels = config.json["id2label"], !labels.isNull {
            guard let members = labels.objectValue else {
                throw .invalidConfig(file: config.file, reason: "'id2label' is \(labels.serialized()), not an object")
            }
            guard members.count <= ModelConfig.maximumCount else {
                throw .invalidConfig(file: config.file, reason: "'id2label' has \(members.count) labels, more than the \(ModelConfig.maximumCount) supported")
            }
            return members.count
        }
        return try config.count("num_labels", default: 2)
    }
}

extension ModelConfig {
    /// A tensor dimension as a sum of products of config sizes (`[[heads, headDim], [2, kv, headDim]]`),
    /// or `invalidConfig` naming `what` when it overflows: products of three config sizes can
    /// exceed `Int` even though each size is below 2^31.
    func dimension(_ what: String, _ terms: [[Int]]) throws(PretrainedError) -> Int {
        var total = 0
        for term in terms {
            var product = 1
            for factor in term {
                let (next, overflow) = product.multipliedReportingOverflow(by: factor)
                guard !overflow else { throw .invalidConfig(file: file, reason: "the size of '\(what)' overflows") }
                product = next
            }
            let (sum, overflow) = total.addingReportingOverflow(product)
            guard !overflow else { throw .invalidConfig(file: file, reason: "the size of '\(what)' overflows") }
            total = sum
        }
        return total
    }
}
