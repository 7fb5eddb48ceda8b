/// Granite (`GraniteModel`, `GraniteForCausalLM`): the Llama layout; its multipliers are scalars
/// of the config, not tensors.
extension LlamaFamilyArchitecture {
    static let granite = Variant(
        prefix: "Granite", modelType: "granite",
        defaults: Defaults(vocab: 32000, hidden: 4096, intermediate: 11008, layers: 32, heads: 32, keyValueHeads: nil,
                           headDim: nil))
}
