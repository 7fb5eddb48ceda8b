/// Gemma, Gemma 2 and Gemma 3 text (`GemmaModel`, `Gemma2Model`, `Gemma3TextModel` and their
/// `*ForCausalLM`): the Llama layout with a scaled embedding (`<Prefix>TextScaledWordEmbedding`,
/// a non-persistent `embed_scale`), tied heads by default, GELU-tanh MLPs; Gemma 2 adds norms
/// around the MLP, Gemma 3 per-head q/k norms and one rotary table per layer type.
extension LlamaFamilyArchitecture {
    static let gemma = Variant(
        prefix: "Gemma", modelType: "gemma",
        defaults: Defaults(vocab: 256000, hidden: 3072, intermediate: 24576, layers: 28, heads: 16, keyValueHeads: 16,
                           headDim: 256),
        tiesByDefault: true, activation: ("hidden_act", "gelu_pytorch_tanh"), scaledEmbedding: true,
        activationAliases: ["gelu": "gelu_pytorch_tanh"])

    static let gemma2 = Variant(
        prefix: "Gemma2", modelType: "gemma2",
        defaults: Defaults(vocab: 256000, hidden: 2304, intermediate: 9216, layers: 26, heads: 8, keyValueHeads: 4,
                           headDim: 256),
        tiesByDefault: true, activation: ("hidden_activation", "gelu_pytorch_tanh"), norms: fourNorms,
        scaledEmbedding: true)

    static let gemma3 = Variant(
        prefix: "Gemma3", modelType: "gemma3_text",
        defaults: Defaults(vocab: 262208, hidden: 2304, intermediate: 9216, layers: 26, heads: 8, keyValueHeads: 4,
                           headDim: 256),
        baseClass: "Gemma3TextModel", tiesByDefault: true, activation: ("hidden_activation", "gelu_pytorch_tanh"),
        qkNorm: .perHead, norms: fourNorms, scaledEmbedding: true, rotary: .perLayerType(defaultPattern: 6))

    private static let fourNorms = ["input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                                    "post_feedforward_layernorm"]
}
