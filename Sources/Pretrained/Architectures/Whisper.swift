/// Whisper (`WhisperModel`, `WhisperForConditionalGeneration`): a two-convolution front end over
/// `num_mel_bins` channels, sinusoidal encoder positions (an `Embedding` weight in the
/// checkpoint), `proj_out` tied to the decoder's `embed_tokens`, with `WhisperConfig`'s defaults.
struct WhisperArchitecture: Architecture {
    let isBaseModel: Bool
    let modelType = "whisper"
    let baseModelPrefix = "model"
    let noSplitModules = ["WhisperDecoderLayer", "WhisperEncoderLayer"]

    var name: String { isBaseModel ? "WhisperModel" : "WhisperForConditionalGeneration" }
    var tiedWeightsKeys: [(target: String, source: String)] {
        isBaseModel ? [] : [("proj_out.weight", "model.decoder.embed_tokens.weight")]
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 51865)
        let width = try config.positiveInt(anyOf: ["hidden_size", "d_model"], default: 384)
        for key in ["encoder_attention_heads", "decoder_attention_heads"] {
            _ = try config.attentionHeads(key, default: 6, dividing: ("d_model", width))
        }
        let mels = try config.positiveInt("num_mel_bins", default: 80)
        let encoderLayers = try config.count(anyOf: ["num_hidden_layers", "encoder_layers"], default: 4)
        let decoderLayers = try config.count("decoder_layers", default: 4)
        let encoderFeedForward = try config.positiveInt("encoder_ffn_dim", default: 1536)
        let decoderFeedForward = try config.positiveInt("decoder_ffn_dim", default: 1536)
        let sourcePositions = try config.positiveInt("max_source_positions", default: 1500)
        let targetPositions = try config.positiveInt("max_target_positions", default: 448)
        let layers = Seq2SeqLayers(prefix: "Whisper", width: width, keyBias: false,
                                   activation: try Activation.module(config, key: "activation_function", default: "gelu"))

        let encoder = Module("WhisperEncoder", children: [
            ("conv1", .conv1d(in: mels, out: width, kernel: 3)), ("conv2", .conv1d(in: width, out: width, kernel: 3)),
            ("embed_positions", .embedding(sourcePositions, width)),
            ("layers", .list(Array(repeating: layers.encoderLayer(feedForward: encoderFeedForward), count: encoderLayers))),
            ("layer_norm", .layerNorm(width)),
        ])
        let decoder = Module("WhisperDecoder", children: [
            ("embed_tokens", .embedding(vocab, width)),
            ("embed_positions", .embedding("WhisperPositionalEmbedding", targetPositions, width)),
            ("layers", .list(Array(repeating: layers.decoderLayer(feedForward: decoderFeedForward), count: decoderLayers))),
            ("layer_norm", .layerNorm(width)),
        ])
        let base: [(String, Module)] = [("encoder", encoder), ("decoder", decoder)]
        if isBaseModel { return Module(name, children: base) }
        return Module(name, children: [("model", Module("WhisperModel", children: base)),
                                       ("proj_out", .linear(in: width, out: vocab, bias: false))])
    }
}
