/// BART (`BartModel`, `BartForConditionalGeneration`): `shared` tied to both `embed_tokens` and to
/// `lm_head`, learned positions offset by 2, and the `final_logits_bias` buffer, with
/// `BartConfig`'s names (`d_model`; `hidden_size` through its `attribute_map`) and defaults.
struct BartArchitecture: Architecture {
    let isBaseModel: Bool
    let modelType = "bart"
    let baseModelPrefix = "model"
    let noSplitModules = ["BartDecoderLayer", "BartEncoderLayer"]
    let ignoreOnLoadUnexpected = ["encoder.version", "decoder.version"]

    var name: String { isBaseModel ? "BartModel" : "BartForConditionalGeneration" }
    var ignoreOnLoadMissing: [String] { isBaseModel ? [] : ["final_logits_bias"] }
    var tiedWeightsKeys: [(target: String, source: String)] {
        let model = [("decoder.embed_tokens.weight", "shared.weight"), ("encoder.embed_tokens.weight", "shared.weight")]
        if isBaseModel { return model }
        return [("lm_head.weight", "model.shared.weight")] + model.map { ("model." + $0.0, "model." + $0.1) }
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 50265)
        let width = try config.positiveInt(anyOf: ["hidden_size", "d_model"], default: 1024)
        for key in ["encoder_attention_heads", "decoder_attention_heads"] {
            _ = try config.attentionHeads(key, default: 16, dividing: ("d_model", width))
        }
        let encoderLayers = try config.count(anyOf: ["num_hidden_layers", "encoder_layers"], default: 12)
        let decoderLayers = try config.count("decoder_layers", default: 12)
        let encoderFeedForward = try config.positiveInt("encoder_ffn_dim", default: 4096)
        let decoderFeedForward = try config.positiveInt("decoder_ffn_dim", default: 4096)
        let positions = try config.positiveInt("max_position_embeddings", default: 1024)
        let layers = Seq2SeqLayers(prefix: "Bart", width: width, keyBias: true,
                                   activation: try Activation.module(config, key: "activation_function", default: "gelu"))

        let stack = { (className: String, count: Int, layer: Module) in
            Module(className, children: [
                ("embed_tokens", .embedding("BartScaledWordEmbedding", vocab, width)),
                ("embed_positions", .embedding("BartLearnedPositionalEmbedding", positions + 2, width)),
                ("layers", .list(Array(repeating: layer, count: count))),
                ("layernorm_embedding", .layerNorm(width)),
            ])
        }
        let base: [(String, Module)] = [
            ("shared", .embedding("BartScaledWordEmbedding", vocab, width)),
            ("encoder", stack("BartEncoder", encoderLayers, layers.encoderLayer(feedForward: encoderFeedForward))),
            ("decoder", stack("BartDecoder", decoderLayers, layers.decoderLayer(feedForward: decoderFeedForward))),
        ]
        if isBaseModel { return Module(name, children: base) }
        return Module(name, entries: [.init("final_logits_bias", [1, vocab], kind: .buffer)], children: [
            ("model", Module("BartModel", children: base)),
            ("lm_head", .linear(in: width, out: vocab, bias: false)),
        ])
    }
}
