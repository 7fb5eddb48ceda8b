/// The decoder families' `_init_weights` rules that differ from the default ones.
extension LlamaFamilyArchitecture: CustomWeightInitialization {
    /// Gemma's norms compute `(1 + weight)` and start at zero; its scaled embedding is an
    /// `nn.Embedding` with `padding_idx`.
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        guard variant.scaledEmbedding else { return nil }
        if moduleClass.contains("RMSNorm") { return .zeros }
        guard moduleClass.hasSuffix("TextScaledWordEmbedding") else { return nil }
        let range = try config.double("initializer_range", default: 0.02)
        let padding = try config.has("pad_token_id") ? config.int("pad_token_id", default: 0) : nil
        if let padding, slot.shape.count == 2, padding < slot.shape[0] { return .normalWithZeroRow(std: range, row: padding) }
        return .normal(std: range)
    }
}

/// DeepSeek-V3's router correction bias starts at zero.
extension DeepseekV3Architecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        slot.name.hasSuffix("e_score_correction_bias") ? .zeros : nil
    }
}

/// gpt-oss: expert biases start at zero, the router's bias is drawn like its weight.
extension GptOssArchitecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        if slot.name.hasSuffix("_proj_bias") { return .zeros }
        if moduleClass == "GptOssTopKRouter" { return .normal(std: try config.double("initializer_range", default: 0.02)) }
        return nil
    }
}

/// Qwen3-Next: its norms compute `(1 + weight)` and start at zero, `dt_bias` at one. (`A_log` is
/// `log(uniform(0.01, 16))` in `transformers`; it is drawn like other weights here.)
extension Qwen3NextArchitecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        if moduleClass == "Qwen3NextRMSNorm" { return .zeros }
        if slot.name.hasSuffix("linear_attn.dt_bias") { return .ones }
        return nil
    }
}
