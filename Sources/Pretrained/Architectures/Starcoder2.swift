/// StarCoder2 (`Starcoder2Model`, `Starcoder2ForCausalLM`): the Llama attention with biases
/// (`use_bias`), a `c_fc`/`c_proj` MLP and LayerNorms, tied by default.
struct Starcoder2Architecture: DecoderClass {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 49152, hidden: 3072, intermediate: 12288, layers: 30, heads: 24, keyValueHeads: 2, headDim: nil)

    let head: DecoderHead
    let prefix = "Starcoder2"
    let modelType = "starcoder2"
    let baseModelPrefix = "model"
    let noSplitModules = ["Starcoder2DecoderLayer"]
    let ignoreOnLoadUnexpected = [#"rotary_emb\.inv_freq"#]

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        let bias = try config.bool("use_bias", default: true)
        let layer = Module("Starcoder2DecoderLayer", children: [
            ("self_attn", Module("Starcoder2Attention", children: [
                ("q_proj", .linear(in: shape.hidden, out: shape.heads * shape.headDim, bias: bias)),
                ("k_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: bias)),
                ("v_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: bias)),
                ("o_proj", .linear(in: shape.heads * shape.headDim, out: shape.hidden, bias: bias)),
            ])),
            ("mlp", Module("Starcoder2MLP", children: [
                ("c_fc", .linear(in: shape.hidden, out: shape.intermediate, bias: bias)),
                ("c_proj", .linear(in: shape.intermediate, out: shape.hidden, bias: bias)),
                ("act", try Activation.module(config, key: "hidden_act", default: "gelu_pytorch_tanh")),
            ])),
            ("input_layernorm", .layerNorm(shape.hidden)),
            ("post_attention_layernorm", .layerNorm(shape.hidden)),
        ])
        let module = DecoderStack.base(
            className: "Starcoder2Model", shape: shape, layer: layer, norm: "LayerNorm",
            rotary: try DecoderStack.rotaryEmbedding("Starcoder2", config, shape: shape),
            tp: [("layers.*.self_attn.q_proj", "colwise"), ("layers.*.self_attn.k_proj", "colwise"),
                 ("layers.*.self_attn.v_proj", "colwise"), ("layers.*.self_attn.o_proj", "rowwise"),
                 ("layers.*.mlp.c_fc", "colwise"), ("layers.*.mlp.c_proj", "rowwise")],
            finalNorm: .layerNorm(shape.hidden))
        return (module, shape)
    }
}
