#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GPT-2 scales residual projections: `c_proj.weight` ~ N(0, initializer_range / sqrt(2 n_layer)).
extension GPT2Architecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        guard slot.name.hasSuffix("c_proj.weight") else { return nil }
        let range = try config.double("initializer_range", default: 0.02)
        let layers = try config.count("n_layer", default: 12)
        return .normal(std: range / (2 * Double(max(layers, 1))).squareRoot())
    }
}

/// T5's factor-scaled rules (`T5PreTrainedModel._init_weights`, `initializer_factor`).
extension T5Architecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        let factor = try config.double("initializer_factor", default: 1.0)
        let model = Double(try config.positiveInt("d_model", default: 512))
        let keyValue = Double(try config.positiveInt("d_kv", default: 64))
        let feedForward = Double(try config.positiveInt("d_ff", default: 2048))
        let heads = Double(try config.positiveInt("num_heads", default: 8))
        let local = slot.name.split(separator: ".").suffix(2).joined(separator: ".")
        switch local {
        case "shared.weight", "lm_head.weight", "embed_tokens.weight": return .normal(std: factor)
        case "q.weight": return .normal(std: factor / (model * keyValue).squareRoot())
        case "k.weight", "v.weight": return .normal(std: factor / model.squareRoot())
        case "o.weight": return .normal(std: factor / (heads * keyValue).squareRoot())
        case "relative_attention_bias.weight": return .normal(std: factor / model.squareRoot())
        case "wi.weight", "wi_0.weight", "wi_1.weight": return .normal(std: factor / model.squareRoot())
        case "wo.weight": return .normal(std: factor / feedForward.squareRoot())
        default: return moduleClass == "T5LayerNorm" ? .constant(factor) : nil
        }
    }
}
