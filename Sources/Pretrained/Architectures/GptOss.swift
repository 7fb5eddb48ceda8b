/// gpt-oss (`GptOssModel`, `GptOssForCausalLM`): attention with per-head `sinks` and biased
/// projections, a biased router, and fused experts stored transposed with their biases
/// (`gate_up_proj [E, H, 2I]`, `down_proj [E, I, H]`). Its norms stay F32 when the model loads in
/// F16 (`_keep_in_fp32_modules`). The base model has no tp plan; `transformers` 5.23 has no
/// conversion for this family.
struct GptOssArchitecture: DecoderClass {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 201088, hidden: 2880, intermediate: 2880, layers: 36, heads: 64, keyValueHeads: 8, headDim: 64)

    let head: DecoderHead
    let prefix = "GptOss"
    let modelType = "gpt_oss"
    let baseModelPrefix = "model"
    let tiesByDefault = false
    let noSplitModules = ["GptOssDecoderLayer"]
    let keepInFP32Modules = ["input_layernorm", "norm", "post_attention_layernorm"]
    let ignoreOnLoadUnexpected = [#"rotary_emb\.inv_freq"#]

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        let bias = try config.bool("attention_bias", default: true)
        let experts = try MixtureOfExperts.count(config, keys: ["num_local_experts", "num_experts"], default: 128)
        let (hidden, inner) = (shape.hidden, shape.intermediate)
        let layer = Module("GptOssDecoderLayer", children: [
            ("self_attn", Module("GptOssAttention", entries: [.init("sinks", [shape.heads])], children: [
                ("q_proj", .linear(in: hidden, out: shape.heads * shape.headDim, bias: bias)),
                ("k_proj", .linear(in: hidden, out: shape.keyValueHeads * shape.headDim, bias: bias)),
                ("v_proj", .linear(in: hidden, out: shape.keyValueHeads * shape.headDim, bias: bias)),
                ("o_proj", .linear(in: shape.heads * shape.headDim, out: hidden, bias: bias)),
            ])),
            ("mlp", Module("GptOssMLP", children: [
                ("router", Module("GptOssTopKRouter", entries: [.init("weight", [experts, hidden]), .init("bias", [experts])])),
                ("experts", Module("GptOssExperts", entries: [
                    .init("gate_up_proj", [experts, hidden, 2 * inner]), .init("gate_up_proj_bias", [experts, 2 * inner]),
                    .init("down_proj", [experts, inner, hidden]), .init("down_proj_bias", [experts, hidden]),
                ])),
            ])),
            ("input_layernorm", .rmsNorm("GptOssRMSNorm", hidden)),
            ("post_attention_layernorm", .rmsNorm("GptOssRMSNorm", hidden)),
        ])
        let module = DecoderStack.base(
            className: "GptOssModel", shape: shape, layer: layer, norm: "GptOssRMSNorm",
            rotary: try DecoderStack.rotaryEmbedding("GptOss", config, shape: shape), tp: [],
            ep: [("layers.*.mlp.experts.gate_up_proj", "grouped_gemm"), ("layers.*.mlp.experts.gate_up_proj_bias", "grouped_gemm"),
                 ("layers.*.mlp.experts.down_proj", "grouped_gemm"), ("layers.*.mlp.experts.down_proj_bias", "grouped_gemm"),
                 ("layers.*.mlp.experts", "ep_dispatch_experts")])
        return (module, shape)
    }
}
