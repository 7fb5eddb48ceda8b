/// DeBERTa-v2 and v3 (`DebertaV2Model`, `DebertaV2ForMaskedLM`): disentangled attention over a
/// shared relative-position table, with the optional parts `DebertaV2Config` and the checkpoint's
/// extra fields switch on (`position_biased_input`, `type_vocab_size`, `embedding_size`,
/// `relative_attention`, `share_att_key`, `pos_att_type`, `norm_rel_ebd`, `conv_kernel_size`).
struct DebertaV2Architecture: Architecture {
    let isBaseModel: Bool
    let modelType = "deberta-v2"
    let baseModelPrefix = "deberta"

    var name: String { isBaseModel ? "DebertaV2Model" : "DebertaV2ForMaskedLM" }
    /// `position_embeddings` (unanchored: any key containing it), and the MLM head's
    /// `mask_predictions.*`; `position_ids` as for every model with that buffer.
    var ignoreOnLoadUnexpected: [String] {
        ["position_embeddings", #"(^|\.)position_ids$"#] + (isBaseModel ? [] : ["mask_predictions.*"])
    }
    var tiedWeightsKeys: [(target: String, source: String)] {
        isBaseModel ? [] : [("cls.predictions.decoder.bias", "cls.predictions.bias"),
                            ("cls.predictions.decoder.weight", "deberta.embeddings.word_embeddings.weight")]
    }
    /// The non-legacy MLM head (`legacy: false`) declares no tied keys.
    func tiesWeights(_ config: ModelConfig) throws(PretrainedError) -> Bool {
        let legacy = try config.bool("legacy", default: true)
        return try config.bool("tie_word_embeddings", default: true) && legacy
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let encoder = try BertLikeEncoder(config, prefix: "DebertaV2", defaultVocab: 128100, defaultHidden: 1536,
                                          defaultLayers: 24, defaultIntermediate: 6144)
        let hidden = encoder.hidden, vocab = encoder.vocab
        let heads = try config.positiveInt("num_attention_heads", default: 24)
        let width = try config.positiveInt("embedding_size", default: hidden)
        let typeVocab = try config.int("type_vocab_size", default: 0)

        var embeddings: [(String, Module)] = [("word_embeddings", .embedding(vocab, width))]
        if try config.bool("position_biased_input", default: true) {
            embeddings.append(("position_embeddings", .embedding(encoder.positions, width)))
        }
        if typeVocab > 0 { embeddings.append(("token_type_embeddings", .embedding(typeVocab, width))) }
        if width != hidden { embeddings.append(("embed_proj", .linear(in: width, out: hidden, bias: false))) }
        embeddings += [("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout)]

        let relative = try config.bool("relative_attention", default: false)
        let attentionTypes = try Self.positionAttentionTypes(config)
        let headSize = try config.positiveInt("attention_head_size", default: hidden / heads)
        var attention: [(String, Module)] = [("query_proj", .linear(in: hidden, out: heads * headSize)),
                                             ("key_proj", .linear(in: hidden, out: heads * headSize)),
                                             ("value_proj", .linear(in: hidden, out: heads * headSize))]
        if relative {
            attention.append(("pos_dropout", .dropout))
            if !(try config.bool("share_att_key", default: false)) {
                let projection = Module.linear(in: hidden, out: heads * headSize)
                if attentionTypes.contains("c2p") { attention.append(("pos_key_proj", projection)) }
                if attentionTypes.contains("p2c") { attention.append(("pos_query_proj", projection)) }
            }
        }
        attention.append(("dropout", .dropout))
        let layer = Module("DebertaV2Layer", children: [
            ("attention", Module("DebertaV2Attention", children: [
                ("self", Module("DisentangledSelfAttention", children: attention)),
                ("output", Module("DebertaV2SelfOutput", children: [("dense", .linear(in: hidden, out: hidden)),
                                                                    ("LayerNorm", .layerNorm(hidden)), ("dropout", .dropout)])),
            ])),
        ] + encoder.feedForward)

        var encoderChildren: [(String, Module)] = [("layer", .list(Array(repeating: layer, count: encoder.layers)))]
        if relative {
            var maxRelative = try Self.signedInt(config, "max_relative_positions", default: -1)
            if maxRelative < 1 { maxRelative = encoder.positions }
            let buckets = try Self.signedInt(config, "position_buckets", default: -1)
            encoderChildren.append(("rel_embeddings", .embedding(buckets > 0 ? 2 * buckets : 2 * maxRelative, hidden)))
        }
        let normalizations = try config.string("norm_rel_ebd", default: "none").lowercased().split(separator: "|")
        if normalizations.contains(where: { $0.trimmed == "layer_norm" }) {
            encoderChildren.append(("LayerNorm", .layerNorm(hidden)))
        }
        let kernel = try Self.signedInt(config, "conv_kernel_size", default: 0)
        if kernel > 0 {
            let groups = try config.positiveInt("conv_groups", default: 1)
            guard hidden % groups == 0 else {
                throw .invalidConfig(file: config.file,
                                     reason: "'conv_groups' (\(groups)) does not divide 'hidden_size' (\(hidden))")
            }
            let conv = Module.conv1d(in: hidden, out: hidden, kernel: kernel, groups: groups)
            encoderChildren.append(("conv", Module("ConvLayer", children: [("conv", conv), ("LayerNorm", .layerNorm(hidden)),
                                                                           ("dropout", .dropout)])))
        }
        let base: [(String, Module)] = [
            ("embeddings", Module("DebertaV2Embeddings", entries: [
                .nonPersistentBuffer("position_ids", [1, encoder.positions], dtype: .i64),
            ], children: embeddings)),
            ("encoder", Module("DebertaV2Encoder", children: encoderChildren)),
        ]
        if isBaseModel { return Module(name, children: base) }
        let model = ("deberta", Module("DebertaV2Model", children: base))
        guard try config.bool("legacy", default: true) else {
            return Module(name, children: [model, ("lm_predictions", Module("DebertaV2OnlyMLMHead", children: [
                ("lm_head", Module("DebertaV2LMPredictionHead", entries: [.init("bias", [vocab])], children: [
                    ("dense", .linear(in: hidden, out: hidden)), ("transform_act_fn", encoder.activation),
                    ("LayerNorm", .layerNorm(hidden)),
                ])),
            ]))])
        }
        let predictions = Module("LegacyDebertaV2LMPredictionHead", entries: [.init("bias", [vocab])], children: [
            ("transform", Module("LegacyDebertaV2PredictionHeadTransform", children: [
                ("dense", .linear(in: hidden, out: width)), ("transform_act_fn", encoder.activation),
                ("LayerNorm", .layerNorm(width)),
            ])),
            ("decoder", .linear(in: width, out: vocab)),
        ])
        let head = Module("LegacyDebertaV2OnlyMLMHead", children: [("predictions", predictions)])
        return Module(name, children: [model, ("cls", head)])
    }

    /// `pos_att_type`: a list, or the older `"p2c|c2p"` string; none when absent.
    static func positionAttentionTypes(_ config: ModelConfig) throws(PretrainedError) -> [String] {
        guard let value = config.json["pos_att_type"], !value.isNull else { return [] }
        if let text = value.stringValue {
            return text.lowercased().split(separator: "|").map(\.trimmed)
        }
        guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
            throw .invalidConfig(file: config.file, reason: "'pos_att_type' is not a list of strings")
        }
        return list.compactMap(\.stringValue)
    }

    /// An integer field that may be negative (`-1` meaning "unset" in DeBERTa's config).
    static func signedInt(_ config: ModelConfig, _ key: String, default fallback: Int) throws(PretrainedError) -> Int {
        if case .int(let number)? = config.json[key], number < 0 { return -1 }
        return try config.int(key, default: fallback)
    }
}

private extension Substring {
    /// Without leading and trailing whitespace, as Python's `str.strip()`.
    var trimmed: String { String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
}
