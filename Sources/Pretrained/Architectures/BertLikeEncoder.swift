/// The encoder BERT, RoBERTa and XLM-RoBERTa share (and ELECTRA's layers): embeddings, a stack of
/// post-norm layers, a pooler, stated once with the family's class-name prefix.
struct BertLikeEncoder {
    /// What differs between the families that share the structure.
    struct Family: Sendable {
        /// `Bert`, `Roberta`, `XLMRoberta`: every module class is this prefix plus its role.
        let classPrefix: String
        let modelType: String
        let baseModelPrefix: String
        /// `vocab_size` default of the config class.
        let defaultVocab: Int
        /// RoBERTa's embeddings register `position_embeddings` after `dropout`.
        let positionEmbeddingsLast: Bool
        /// XLM-RoBERTa's heads assign their head modules before the base model.
        let headsBeforeBase: Bool
        /// BERT's heads (`cls.predictions`, a pooled sequence classifier) rather than RoBERTa's
        /// (`lm_head`, a `ClassificationHead` over the first token, no pooler).
        let bertHeads: Bool

        static let bert = Family(classPrefix: "Bert", modelType: "bert", baseModelPrefix: "bert", defaultVocab: 30522,
                                 positionEmbeddingsLast: false, headsBeforeBase: false, bertHeads: true)
        static let roberta = Family(classPrefix: "Roberta", modelType: "roberta", baseModelPrefix: "roberta",
                                    defaultVocab: 50265, positionEmbeddingsLast: true, headsBeforeBase: false, bertHeads: false)
        static let xlmRoberta = Family(classPrefix: "XLMRoberta", modelType: "xlm-roberta", baseModelPrefix: "roberta",
                                       defaultVocab: 30522, positionEmbeddingsLast: true, headsBeforeBase: true,
                                       bertHeads: false)
    }

    let prefix: String
    let vocab: Int
    let hidden: Int
    let layers: Int
    let intermediate: Int
    let positions: Int
    let typeVocab: Int
    let activation: Module
    /// `add_cross_attention` (which `transformers` accepts only with `is_decoder`).
    let crossAttention: Bool

    /// Reads the fields every BERT-like config class has, with `BertConfig`'s defaults unless the
    /// family's config class has others.
    init(_ config: ModelConfig, prefix: String, defaultVocab: Int, defaultHidden: Int = 768, defaultLayers: Int = 12,
         defaultIntermediate: Int = 3072) throws(PretrainedError) {
        self.prefix = prefix
        vocab = try config.positiveInt("vocab_size", default: defaultVocab)
        hidden = try config.positiveInt("hidden_size", default: defaultHidden)
        // BertSelfAttention refuses a hidden size that does not split into the heads (unless the
        // config has an embedding_size, as ELECTRA's may).
        _ = try config.attentionHeads("num_attention_heads", default: 12,
                                      dividing: config.has("embedding_size") ? nil : ("hidden_size", hidden))
        layers = try config.count("num_hidden_layers", default: defaultLayers)
        intermediate = try config.positiveInt("intermediate_size", default: defaultIntermediate)
        positions = try config.positiveInt("max_position_embeddings", default: 512)
        typeVocab = try config.int("type_vocab_size", default: 2)
        activation = try Activation.module(config, key: "hidden_act", default: "gelu")
        crossAttention = try config.bool("add_cross_attention", default: false)
        if crossAttention, !(try config.bool("is_decoder", default: false)) {
            throw .invalidConfig(file: config.file, reason: "'add_cross_attention' needs 'is_decoder' (\(prefix)Layer)")
        }
    }

    /// `position_ids` (arange) and `token_type_ids` (zeros): non-persistent int64 `[1, positions]`.
    func embeddings(positionEmbeddingsLast: Bool, width: Int? = nil) -> Module {
        let width = width ?? hidden
        let position: (String, Module) = ("position_embeddings", .embedding(positions, width))
        var children: [(String, Module)] = [("word_embeddings", .embedding(vocab, width))]
        if !positionEmbeddingsLast { children.append(position) }
        children += [("token_type_embeddings", .embedding(typeVocab, width)), ("LayerNorm", .layerNorm(width)),
                     ("dropout", .dropout)]
        if positionEmbeddingsLast { children.append(position) }
        return Module(prefix + "Embeddings", entries: [
            .nonPersistentBuffer("position_ids", [1, positions], dtype: .i64),
            .nonPersistentBuffer("token_type_ids", [1, positions], dtype: .i64),
        ], children: children)
    }

    /// One post-norm layer: self-attention, its output projection (and, for a decoder with
    /// `add_cross_attention`, the same over the encoder's states), the feed-forward pair.
    var layer: Module {
        var children: [(String, Module)] = [("attention", attention(selfClass: "SelfAttention"))]
        if crossAttention { children.append(("crossattention", attention(selfClass: "CrossAttention"))) }
        return Module(prefix + "Layer", children: children + feedForward)
    }

    func attention(selfClass: String) -> Module {
        let linear = { (inputs: Int, outputs: Int) in Module.linear(in: inputs, out: outputs) }
        return Module(prefix + "Attention", children: [
            ("self", Module(prefix + selfClass, children: [
                ("query", linear(hidden, hidden)), ("key", linear(hidden, hidden)), ("value", linear(hidden, hidden)),
                ("dropout", .dropout),
            ])),
            ("output", Module(prefix + "SelfOutput", children: [("dense", linear(hidden, hidden)),
                                                                 ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout)])),
        ])
    }

    /// The feed-forward pair after the attention block (`intermediate`, `output`), which MPNet and
    /// DeBERTa-v2 layers share too.
    var feedForward: [(String, Module)] {
        [
            ("intermediate", Module(prefix + "Intermediate", children: [("dense", .linear(in: hidden, out: intermediate)),
                                                                        ("intermediate_act_fn", activation)])),
            ("output", Module(prefix + "Output", children: [("dense", .linear(in: intermediate, out: hidden)),
                                                            ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout)])),
        ]
    }

    var encoder: Module {
        Module(prefix + "Encoder", children: [("layer", .list(Array(repeating: layer, count: layers)))])
    }

    var pooler: Module {
        Module(prefix + "Pooler", children: [("dense", .linear(in: hidden, out: hidden)), ("activation", .stateless("Tanh"))])
    }

    /// The base model (`BertModel`, `RobertaModel`, ...), with or without its pooler.
    func base(positionEmbeddingsLast: Bool, pooler withPooler: Bool) -> Module {
        var children: [(String, Module)] = [("embeddings", embeddings(positionEmbeddingsLast: positionEmbeddingsLast)),
                                            ("encoder", encoder)]
        if withPooler { children.append(("pooler", pooler)) }
        return Module(prefix + "Model", children: children)
    }
}
