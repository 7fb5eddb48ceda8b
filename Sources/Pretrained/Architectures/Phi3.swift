/// Phi-3 (`Phi3Model`, `Phi3ForCausalLM`): the Llama layout with fused projections, `qkv_proj`
/// (queries, keys, values stacked) and `gate_up_proj`, registered after `o_proj` / before
/// `down_proj` as `transformers` registers them.
struct Phi3Architecture: DecoderClass {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 32064, hidden: 3072, intermediate: 8192, layers: 32, heads: 32, keyValueHeads: nil, headDim: nil)

    let head: DecoderHead
    let prefix = "Phi3"
    let modelType = "phi3"
    let baseModelPrefix = "model"
    let tiesByDefault = false
    let noSplitModules = ["Phi3DecoderLayer"]
    let ignoreOnLoadUnexpected = [#"rotary_emb\.inv_freq"#]

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        let queryKeyValue = try config.dimension("qkv_proj", [[shape.heads, shape.headDim], [2, shape.keyValueHeads, shape.headDim]])
        let layer = Module("Phi3DecoderLayer", children: [
            ("self_attn", Module("Phi3Attention", children: [
                ("o_proj", .linear(in: shape.heads * shape.headDim, out: shape.hidden, bias: false)),
                ("qkv_proj", .linear(in: shape.hidden, out: queryKeyValue, bias: false)),
            ])),
            ("mlp", Module("Phi3MLP", children: [
                ("gate_up_proj", .linear(in: shape.hidden, out: 2 * shape.intermediate, bias: false)),
                ("down_proj", .linear(in: shape.intermediate, out: shape.hidden, bias: false)),
                ("activation_fn", try Activation.module(config, key: "hidden_act", default: "silu")),
            ])),
            ("input_layernorm", .rmsNorm("Phi3RMSNorm", shape.hidden)),
            ("post_attention_layernorm", .rmsNorm("Phi3RMSNorm", shape.hidden)),
            ("resid_attn_dropout", .dropout),
            ("resid_mlp_dropout", .dropout),
        ])
        let module = DecoderStack.base(
            className: "Phi3Model", shape: shape, layer: layer, norm: "Phi3RMSNorm",
            rotary: try DecoderStack.rotaryEmbedding("Phi3", config, shape: shape, partialFactor: ([], 1)),
            tp: [("layers.*.self_attn.qkv_proj", "colwise_gather_output"), ("layers.*.self_attn.o_proj", "rowwise_split_input"),
                 ("layers.*.mlp.gate_up_proj", "colwise_gather_output"), ("layers.*.mlp.down_proj", "rowwise_split_input")])
        return (module, shape)
    }
}
