/// Qwen2-MoE and Qwen3-MoE (`Qwen2MoeModel`, `Qwen3MoeModel` and their `*ForCausalLM`): the Qwen2 /
/// Qwen3 attention with a sparse block in every `decoder_sparse_step`-th layer (others, and those
/// in `mlp_only_layers`, keep the gated MLP of `intermediate_size`). Qwen2-MoE's block has a
/// shared expert and its sigmoid gate. Per-expert checkpoints are fused while loading.
extension LlamaFamilyArchitecture {
    static let qwen2Moe = Variant(
        prefix: "Qwen2Moe", modelType: "qwen2_moe",
        defaults: Defaults(vocab: 151936, hidden: 2048, intermediate: 5632, layers: 24, heads: 16, keyValueHeads: nil,
                           headDim: nil),
        tensorParallelPlan: DecoderStack.attentionPlan(qkNorm: false) + MixtureOfExperts.expertsPlan + DecoderStack.mlpPlan,
        qkvBiasKey: "qkv_bias",
        feedForward: { config, shape, index, activation throws(PretrainedError) in
            let experts = try MixtureOfExperts.count(config, keys: ["num_experts"], default: 60)
            guard try MixtureOfExperts.isSparse(config, index: index, experts: experts) else { return nil }
            let expertSize = try config.positiveInt("moe_intermediate_size", default: 1408)
            let sharedSize = try config.positiveInt("shared_expert_intermediate_size", default: 5632)
            return Module("Qwen2MoeSparseMoeBlock", children: [
                ("gate", MixtureOfExperts.router("Qwen2MoeTopKRouter", count: experts, hidden: shape.hidden)),
                ("experts", MixtureOfExperts.experts("Qwen2MoeExperts", count: experts, hidden: shape.hidden,
                                                     intermediate: expertSize, activation: activation)),
                ("shared_expert", DecoderStack.gatedMLP("Qwen2MoeMLP", hidden: shape.hidden, intermediate: sharedSize,
                                                        activation: activation)),
                ("shared_expert_gate", .linear(in: shape.hidden, out: 1, bias: false)),
            ])
        },
        expertParallelPlan: MixtureOfExperts.expertParallelPlan,
        conversions: MixtureOfExperts.perExpertConversions)

    static let qwen3Moe = Variant(
        prefix: "Qwen3Moe", modelType: "qwen3_moe",
        defaults: Defaults(vocab: 151936, hidden: 2048, intermediate: 6144, layers: 24, heads: 32, keyValueHeads: 4,
                           headDim: nil),
        qkNorm: .perHead,
        tensorParallelPlan: DecoderStack.attentionPlan(qkNorm: true) + MixtureOfExperts.expertsPlan + DecoderStack.mlpPlan,
        feedForward: { config, shape, index, activation throws(PretrainedError) in
            let experts = try MixtureOfExperts.count(config, keys: ["num_local_experts", "num_experts"], default: 128)
            guard try MixtureOfExperts.isSparse(config, index: index, experts: experts) else { return nil }
            let expertSize = try config.positiveInt("moe_intermediate_size", default: 768)
            return Module("Qwen3MoeSparseMoeBlock", children: [
                ("experts", MixtureOfExperts.experts("Qwen3MoeExperts", count: experts, hidden: shape.hidden,
                                                     intermediate: expertSize, activation: activation)),
                ("gate", MixtureOfExperts.router("Qwen3MoeTopKRouter", count: experts, hidden: shape.hidden)),
            ])
        },
        expertParallelPlan: MixtureOfExperts.expertParallelPlan,
        conversions: MixtureOfExperts.perExpertConversions)
}
