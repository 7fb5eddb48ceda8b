/// ModernBERT (`ModernBertModel`, `ModernBertForMaskedLM`, `ModernBertForSequenceClassification`,
/// `ModernBertForTokenClassification`): pre-norm layers with a fused `Wqkv`, a gated MLP, bias-free
/// linears and norms by default, and one rotary table per attention type (full, sliding), with
/// `ModernBertConfig`'s defaults.
struct ModernBertArchitecture: Architecture {
    enum Head: String, Sendable, CaseIterable {
        case none = "Model", maskedLM = "ForMaskedLM", sequenceClassification = "ForSequenceClassification"
        case tokenClassification = "ForTokenClassification"
    }

    let head: Head
    let modelType = "modernbert"
    let baseModelPrefix = "model"
    let noSplitModules = ["ModernBertEmbeddings", "ModernBertEncoderLayer"]

    var name: String { "ModernBert" + head.rawValue }
    var isBaseModel: Bool { head == .none }
    var tiedWeightsKeys: [(target: String, source: String)] {
        head == .maskedLM ? [("decoder.weight", "model.embeddings.tok_embeddings.weight")] : []
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 50368)
        let hidden = try config.positiveInt("hidden_size", default: 768)
        let intermediate = try config.positiveInt("intermediate_size", default: 1152)
        let layers = try config.count("num_hidden_layers", default: 22)
        let heads = try config.attentionHeads("num_attention_heads", default: 12, dividing: ("hidden_size", hidden))
        let normBias = try config.bool("norm_bias", default: false)
        let attentionBias = try config.bool("attention_bias", default: false)
        let mlpBias = try config.bool("mlp_bias", default: false)
        let attentionDropout = try config.double("attention_dropout", default: 0)
        let norm = Module.layerNorm(hidden, bias: normBias)
        let activation = try Activation.module(config, key: "hidden_activation", default: "gelu")

        let layerTypes = try Self.layerTypes(config, layers: layers)
        let encoderLayers = (0..<layers).map { index in
            Module("ModernBertEncoderLayer", children: [
                ("attn_norm", index == 0 ? .stateless("Identity") : norm),
                ("attn", Module("ModernBertAttention", children: [
                    ("Wqkv", .linear(in: hidden, out: 3 * (hidden / heads) * heads, bias: attentionBias)),
                    ("Wo", .linear(in: hidden, out: hidden, bias: attentionBias)),
                    ("out_drop", attentionDropout > 0 ? .dropout : .stateless("Identity")),
                ])),
                ("mlp_norm", norm),
                ("mlp", Module("ModernBertMLP", children: [
                    ("Wi", .linear(in: hidden, out: 2 * intermediate, bias: mlpBias)),
                    ("act", activation),
                    ("drop", .dropout), ("Wo", .linear(in: intermediate, out: hidden, bias: mlpBias)),
                ])),
            ])
        }
        // One inv_freq pair per attention type the layers use, in sorted order (non-persistent, F32).
        let headDim = try config.positiveInt("head_dim", default: hidden / heads)
        let frequencies = (headDim + 1) / 2
        let rotary = Module("ModernBertRotaryEmbedding", entries: Set(layerTypes).sorted().flatMap { type in
            [Module.Entry.nonPersistentBuffer("\(type)_inv_freq", [frequencies], dtype: .f32),
             .nonPersistentBuffer("\(type)_original_inv_freq", [frequencies], dtype: .f32)]
        })
        let base: [(String, Module)] = [
            ("embeddings", Module("ModernBertEmbeddings", children: [("tok_embeddings", .embedding(vocab, hidden)),
                                                                    ("norm", norm), ("drop", .dropout)])),
            ("layers", .list(encoderLayers)),
            ("final_norm", norm),
            ("rotary_emb", rotary),
        ]
        guard head != .none else { return Module(name, children: base) }
        let predictionHead = Module("ModernBertPredictionHead", children: [
            ("dense", .linear(in: hidden, out: hidden, bias: try config.bool("classifier_bias", default: false))),
            ("act", try Activation.module(config, key: "classifier_activation", default: "gelu")),
            ("norm", norm),
        ])
        let model = ("model", Module("ModernBertModel", children: base))
        if head == .maskedLM {
            return Module(name, children: [model, ("head", predictionHead),
                                           ("decoder", .linear(in: hidden, out: vocab,
                                                               bias: try config.bool("decoder_bias", default: true)))])
        }
        return Module(name, children: [model, ("head", predictionHead), ("drop", .dropout),
                                       ("classifier", .linear(in: hidden, out: try config.labelCount()))])
    }

    /// `layer_types`, else every `global_attn_every_n_layers`-th layer full and the others sliding.
    static func layerTypes(_ config: ModelConfig, layers: Int) throws(PretrainedError) -> [String] {
        if let types = config.json["layer_types"], !types.isNull {
            guard let list = types.arrayValue?.compactMap(\.stringValue), list.count == types.arrayValue?.count else {
                throw .invalidConfig(file: config.file, reason: "'layer_types' is not a list of strings")
            }
            return list
        }
        let every = try config.positiveInt("global_attn_every_n_layers", default: 3)
        return (0..<layers).map { $0 % every == 0 ? "full_attention" : "sliding_attention" }
    }
}
