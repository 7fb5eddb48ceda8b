/// The encoder and decoder layers BART and Whisper share (post-norm BART, pre-norm Whisper: the
/// same modules, registered in the same order): attention blocks with `k/v/q/out_proj`, layer
/// norms, the activation and the `fc1`/`fc2` feed-forward pair, each class named with the
/// family's prefix.
struct Seq2SeqLayers {
    let prefix: String
    let width: Int
    /// Whether `k_proj` has a bias (Whisper's has none).
    let keyBias: Bool
    let activation: Module

    var attention: Module {
        Module(prefix + "Attention", children: [
            ("k_proj", .linear(in: width, out: width, bias: keyBias)), ("v_proj", .linear(in: width, out: width)),
            ("q_proj", .linear(in: width, out: width)), ("out_proj", .linear(in: width, out: width)),
        ])
    }

    func encoderLayer(feedForward: Int) -> Module {
        Module(prefix + "EncoderLayer", children: [
            ("self_attn", attention), ("self_attn_layer_norm", .layerNorm(width)), ("activation_fn", activation),
            ("fc1", .linear(in: width, out: feedForward)), ("fc2", .linear(in: feedForward, out: width)),
            ("final_layer_norm", .layerNorm(width)),
        ])
    }

    func decoderLayer(feedForward: Int) -> Module {
        Module(prefix + "DecoderLayer", children: [
            ("self_attn", attention), ("activation_fn", activation), ("self_attn_layer_norm", .layerNorm(width)),
            ("encoder_attn", attention), ("encoder_attn_layer_norm", .layerNorm(width)),
            ("fc1", .linear(in: width, out: feedForward)), ("fc2", .linear(in: feedForward, out: width)),
            ("final_layer_norm", .layerNorm(width)),
        ])
    }
}
