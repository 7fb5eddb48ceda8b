/// OLMo 2 (`Olmo2Model`, `Olmo2ForCausalLM`): the Llama layout with q/k RMS norms over all heads
/// and the norms after attention and MLP instead of before them.
extension LlamaFamilyArchitecture {
    static let olmo2 = Variant(
        prefix: "Olmo2", modelType: "olmo2",
        defaults: Defaults(vocab: 50304, hidden: 4096, intermediate: 11008, layers: 32, heads: 32, keyValueHeads: nil,
                           headDim: nil),
        qkNorm: .allHeads, norms: ["post_attention_layernorm", "post_feedforward_layernorm"],
        tensorParallelPlan: [
            ("layers.*.self_attn.q_proj", "colwise_gather_output"), ("layers.*.self_attn.k_proj", "colwise_gather_output"),
            ("layers.*.self_attn.v_proj", "colwise_gather_output"), ("layers.*.self_attn.o_proj", "rowwise_split_input"),
            ("layers.*.mlp.gate_proj", "colwise"), ("layers.*.mlp.up_proj", "colwise"), ("layers.*.mlp.down_proj", "rowwise"),
        ])
}
