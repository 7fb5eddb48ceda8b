/// The structure of a checkpoint whose architecture is not registered (`LoadOptions.generic`,
/// `pretrained load --generic`): one slot per stored tensor, with its name, shape and dtype as
/// stored, in name order with layer numbers compared as numbers. When the config ties word
/// embeddings (`tie_word_embeddings`, default true) and exactly one tensor is named as an input
/// embedding, `lm_head.weight` is tied to it (and added as a slot when the checkpoint omits it).
/// Nothing can be known to be missing; the report says the structure came from the checkpoint.
struct CheckpointArchitecture: Architecture {
    /// A stored tensor: its name, shape and dtype.
    struct Stored: Sendable {
        var name: String
        var shape: [Int]
        var dtype: DType
    }

    /// Names of input embeddings, as the families in `transformers` call them.
    static let embeddingNames = ["embed_tokens.weight", "wte.weight", "word_embeddings.weight", "embed_in.weight",
                                 "tok_embeddings.weight", "shared.weight"]

    let name: String
    let modelType: String
    let baseModelPrefix = ""
    let tensors: [Stored]
    let embedding: Stored?

    /// - Parameter tensors: the checkpoint's tensors (as the renames name them), in any order.
    init(config: ModelConfig, tensors: [Stored]) throws(PretrainedError) {
        name = config.architectures.first ?? config.modelType ?? "checkpoint"
        modelType = config.modelType ?? ""
        let candidates = tensors.filter { tensor in
            Self.embeddingNames.contains { tensor.name == $0 || tensor.name.hasSuffix("." + $0) }
        }
        let head = tensors.first { $0.name == "lm_head.weight" }
        if try config.bool("tie_word_embeddings", default: true), candidates.count == 1, let only = candidates.first,
           head.map({ $0.shape == only.shape }) ?? true {
            embedding = only
        } else {
            embedding = nil
        }
        // Two stored tensors renamed alike keep one slot; the load plan then names both keys.
        var seen = Set<String>()
        var all = tensors.filter { seen.insert($0.name).inserted }
        if let embedding, head == nil { all.append(Stored(name: "lm_head.weight", shape: embedding.shape, dtype: embedding.dtype)) }
        self.tensors = all.sorted { Self.naturallyBefore($0.name, $1.name) }
    }

    var tiedWeightsKeys: [(target: String, source: String)] {
        embedding.map { [("lm_head.weight", $0.name)] } ?? []
    }

    func tiesWeights(_ config: ModelConfig) throws(PretrainedError) -> Bool { embedding != nil }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        Module(name, entries: tensors.map { Module.Entry($0.name, $0.shape, dtype: $0.dtype) })
    }

    /// `transformers`' key order (`dot_natural_key`): dotted parts compared as numbers when both
    /// are numeric, numbers before names (`layers.2` before `layers.10`).
    static func naturallyBefore(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: ".", omittingEmptySubsequences: false)
        let right = b.split(separator: ".", omittingEmptySubsequences: false)
        for (x, y) in zip(left, right) where x != y {
            switch (Int(x), Int(y)) {
            case let (m?, n?): return m < n
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return x < y
            }
        }
        return left.count < right.count
    }
}
