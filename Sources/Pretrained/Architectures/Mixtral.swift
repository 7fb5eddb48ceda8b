/// Mixtral (`MixtralModel`, `MixtralForCausalLM`): the Llama attention with a sparse block in every
/// layer, in `transformers` 5's fused expert slots: `mlp.experts.gate_up_proj [E, 2I, H]` and
/// `mlp.experts.down_proj [E, H, I]`. Checkpoints with per-expert
/// `block_sparse_moe.experts.E.w1/w2/w3` keys are converted while loading (the `mixtral` entry
/// of the conversion mapping).
extension LlamaFamilyArchitecture {
    static let mixtral = Variant(
        prefix: "Mixtral", modelType: "mixtral",
        defaults: Defaults(vocab: 32000, hidden: 4096, intermediate: 14336, layers: 32, heads: 32, keyValueHeads: 8,
                           headDim: nil),
        tensorParallelPlan: DecoderStack.attentionPlan(qkNorm: false) + MixtureOfExperts.expertsPlan,
        feedForward: { config, shape, _, activation throws(PretrainedError) in
            let experts = try MixtureOfExperts.count(config, keys: ["num_local_experts", "num_experts"], default: 8)
            return Module("MixtralSparseMoeBlock", children: [
                ("gate", MixtureOfExperts.router("MixtralTopKRouter", count: experts, hidden: shape.hidden)),
                ("experts", MixtureOfExperts.experts("MixtralExperts", count: experts, hidden: shape.hidden,
                                                     intermediate: shape.intermediate, activation: activation)),
            ])
        },
        expertParallelPlan: MixtureOfExperts.expertParallelPlan,
        conversions: [
            .rename(pattern: ".block_sparse_moe.", replacement: ".mlp."),
            .mergeExperts(sources: [".experts.*.w1.weight", ".experts.*.w3.weight"], target: ".experts.gate_up_proj"),
            .mergeExperts(sources: [".experts.*.w2.weight"], target: ".experts.down_proj"),
        ])
}
