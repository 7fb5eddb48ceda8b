/// One entry of the tied-weights registry, as a pair of `transformers`' `all_tied_weights_keys`:
/// the parameter `target` shares the storage of `source`.
///
/// ```swift
/// let model = try load(pretrained: "Examples/tiny-gpt2")
/// model.tiedWeights == [TiedPair(target: "lm_head.weight", source: "transformer.wte.weight")]   // true
/// let json = try JSONEncoder().encode(model.tiedWeights)   // [{"target":"lm_head.weight","source":...}]
/// ```
public struct TiedPair: Hashable, Codable, Sendable {
    /// The parameter that takes its values from `source`.
    public var target: String
    /// The parameter whose storage `target` shares.
    public var source: String

    /// The pair in which `target` shares `source`'s storage.
    public init(target: String, source: String) {
        self.target = target
        self.source = source
    }
}
