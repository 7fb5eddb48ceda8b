/// T5 (`T5Model`, `T5ForConditionalGeneration`, `T5EncoderModel`), with `T5Config`'s defaults.
///
/// `transformers` 5 always ties T5's embeddings: `T5Config` forces `tie_word_embeddings = True`
/// (a `false` in config.json only switches off the decoder output scaling), so `lm_head` and
/// both `embed_tokens` share `shared.weight` whatever the config says.
struct T5Architecture: Architecture {
    enum Variant: Sendable { case model, conditionalGeneration, encoder }

    let variant: Variant
    let modelType = "t5"
    let baseModelPrefix = "transformer"
    let noSplitModules = ["T5Block"]
    let keepInFP32Modules = ["wo"]

    var name: String {
        switch variant {
        case .model: return "T5Model"
        case .conditionalGeneration: return "T5ForConditionalGeneration"
        case .encoder: return "T5EncoderModel"
        }
    }

    var isBaseModel: Bool { variant == .model }

    var ignoreOnLoadUnexpected: [String] {
        switch variant {
        case .encoder: return ["decoder"]
        case .model, .conditionalGeneration: return ["decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight"]
        }
    }

    var tiedWeightsKeys: [(target: String, source: String)] {
        switch variant {
        case .encoder: return [("encoder.embed_tokens.weight", "shared.weight")]
        case .model: return [("encoder.embed_tokens.weight", "shared.weight"), ("decoder.embed_tokens.weight", "shared.weight")]
        case .conditionalGeneration:
            return [("encoder.embed_tokens.weight", "shared.weight"), ("decoder.embed_tokens.weight", "shared.weight"),
                    ("lm_head.weight", "shared.weight")]
        }
    }

    func tiesWeights(_ config: ModelConfig) throws(PretrainedError) -> Bool { true }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 32128)
        let model = try config.positiveInt("d_model", default: 512)
        let layers = try config.count("num_layers", default: 6)
        let feedForwardProjection = try config.string("feed_forward_proj", default: "relu")
        let dims = try Dimensions(
            model: model, keyValue: config.positiveInt("d_kv", default: 64), feedForward: config.positiveInt("d_ff", default: 2048),
            heads: config.attentionHeads("num_heads", default: 8, dividing: nil),
            buckets: config.positiveInt("relative_attention_num_buckets", default: 32),
            gated: feedForwardProjection.hasPrefix("gated-"),
            activation: Self.denseActivation(feedForwardProjection))
        var children: [(String, Module)] = [
            ("shared", .embedding(vocab, model)),
            ("encoder", stack(dims, vocab: vocab, layers: layers, decoder: false)),
        ]
        if variant != .encoder {
            let decoderLayers = try config.count("num_decoder_layers", default: layers)
            children.append(("decoder", stack(dims, vocab: vocab, layers: decoderLayers, decoder: true)))
        }
        if variant == .conditionalGeneration {
            children.append(("lm_head", .linear(in: model, out: vocab, bias: false)))
        }
        return Module(name, children: children)
    }

    struct Dimensions {
        var model, keyValue, feedForward, heads, buckets: Int
        var gated: Bool
        /// The feed-forward activation module (`dense_act_fn`).
        var activation: Module
    }

    /// `T5Config`'s `dense_act_fn`: the part of `feed_forward_proj` after the last `-`, with
    /// `gated-gelu` meaning `gelu_new`.
    static func denseActivation(_ feedForwardProjection: String) -> Module {
        if feedForwardProjection == "gated-gelu" { return Activation.module("gelu_new") }
        return Activation.module(String(feedForwardProjection.split(separator: "-").last ?? ""))
    }

    func stack(_ dims: Dimensions, vocab: Int, layers: Int, decoder: Bool) -> Module {
        let blocks = (0..<layers).map { index in block(dims, decoder: decoder, relativeBias: index == 0) }
        return Module("T5Stack", children: [
            ("embed_tokens", .embedding(vocab, dims.model)),
            ("block", .list(blocks)),
            ("final_layer_norm", .rmsNorm("T5LayerNorm", dims.model)),
            ("dropout", .dropout),
        ])
    }

    func block(_ dims: Dimensions, decoder: Bool, relativeBias: Bool) -> Module {
        var layers = [Module("T5LayerSelfAttention", children: [
            ("SelfAttention", attention(dims, relativeBias: relativeBias)),
            ("layer_norm", .rmsNorm("T5LayerNorm", dims.model)),
            ("dropout", .dropout),
        ])]
        if decoder {
            layers.append(Module("T5LayerCrossAttention", children: [
                ("EncDecAttention", attention(dims, relativeBias: false)),
                ("layer_norm", .rmsNorm("T5LayerNorm", dims.model)),
                ("dropout", .dropout),
            ]))
        }
        let feedForward: Module = dims.gated
            ? Module("T5DenseGatedActDense", children: [
                ("wi_0", .linear(in: dims.model, out: dims.feedForward, bias: false)),
                ("wi_1", .linear(in: dims.model, out: dims.feedForward, bias: false)),
                ("wo", .linear(in: dims.feedForward, out: dims.model, bias: false)),
                ("dropout", .dropout),
                ("act", dims.activation),
            ])
            : Module("T5DenseActDense", children: [
                ("wi", .linear(in: dims.model, out: dims.feedForward, bias: false)),
                ("wo", .linear(in: dims.feedForward, out: dims.model, bias: false)),
                ("dropout", .dropout),
                ("act", dims.activation),
            ])
        layers.append(Module("T5LayerFF", children: [("DenseReluDense", feedForward),
                                                     ("layer_norm", .rmsNorm("T5LayerNorm", dims.model)),
                                                     ("dropout", .dropout)]))
        return Module("T5Block", children: [("layer", .list(layers))])
    }

    func attention(_ dims: Dimensions, relativeBias: Bool) -> Module {
        let inner = dims.heads * dims.keyValue
        var children: [(String, Module)] = [
            ("q", .linear(in: dims.model, out: inner, bias: false)),
            ("k", .linear(in: dims.model, out: inner, bias: false)),
            ("v", .linear(in: dims.model, out: inner, bias: false)),
            ("o", .linear(in: inner, out: dims.model, bias: false)),
        ]
        if relativeBias { children.append(("relative_attention_bias", .embedding(dims.buckets, dims.heads))) }
        return Module("T5Attention", children: children)
    }
}
