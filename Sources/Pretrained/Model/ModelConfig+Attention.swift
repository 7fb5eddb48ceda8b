extension ModelConfig {
    /// The number of attention heads, checked as `transformers`' attention modules check it when
    /// they are built: the one set of checks every family calls.
    ///
    /// - A head count must be positive (zero divides by zero in `transformers`; a negative count
    ///   is refused too, though Python's floor division lets some through).
    /// - `dividing`: where the family's attention splits the hidden size into heads
    ///   (`GPT2Attention`: "embed_dim must be divisible by num_heads"; `BertSelfAttention`, unless
    ///   the config has `embedding_size`), the hidden size must be a multiple of the heads.
    ///   Families with an explicit head dimension (Llama, Qwen, Mistral, Mixtral; T5's `d_kv`)
    ///   pass `nil`.
    ///
    /// ```swift
    /// let heads = try config.attentionHeads("n_head", default: 12, dividing: ("n_embd", hidden))
    /// ```
    /// - Throws: `PretrainedError.invalidConfig` naming both fields.
    public func attentionHeads(_ key: String, default fallback: Int,
                               dividing hidden: (key: String, value: Int)?) throws(PretrainedError) -> Int {
        if let value = json[key], case .int(let number) = value, number <= 0 {
            throw .invalidConfig(file: file, reason: "'\(key)' is \(number): a model needs at least one attention head")
        }
        let heads = try positiveInt(key, default: fallback)
        if let hidden, hidden.value % heads != 0 {
            throw .invalidConfig(file: file, reason: "'\(hidden.key)' (\(hidden.value)) is not a multiple of '\(key)' "
                + "(\(heads)): the attention splits it into heads of equal size")
        }
        return heads
    }
}
