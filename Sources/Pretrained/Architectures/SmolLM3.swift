/// SmolLM3 (`SmolLM3Model`, `SmolLM3ForCausalLM`): the Llama layout (its RoPE-free layers hold no
/// tensors), tied by default.
extension LlamaFamilyArchitecture {
    static let smolLM3 = Variant(
        prefix: "SmolLM3", modelType: "smollm3",
        defaults: Defaults(vocab: 128256, hidden: 2048, intermediate: 11008, layers: 36, heads: 16, keyValueHeads: 4,
                           headDim: nil),
        tiesByDefault: true)
}
