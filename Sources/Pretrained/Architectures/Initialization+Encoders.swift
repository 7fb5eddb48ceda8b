// The `_init_weights` rules of the encoder, encoder-decoder and vision families for the
// parameters the default rule would get wrong (the other rules are the default's).

/// BART's `final_logits_bias` buffer starts at zero.
extension BartArchitecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        slot.name == "final_logits_bias" ? .zeros : nil
    }
}

/// CLIP's `logit_scale` starts at `logit_scale_init_value`.
extension CLIPArchitecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        guard variant == .model, slot.name == "logit_scale" else { return nil }
        return .constant(try config.double("logit_scale_init_value", default: 2.6592))
    }
}

/// SigLIP's `logit_scale` and `logit_bias` start at zero.
extension SiglipArchitecture: CustomWeightInitialization {
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
    {
        variant == .model && (slot.name == "logit_scale" || slot.name == "logit_bias") ? .zeros : nil
    }
}
