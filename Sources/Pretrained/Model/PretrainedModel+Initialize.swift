extension PretrainedModel {
    /// Builds a model from its config without a checkpoint: every slot in owned memory,
    /// initialized as the family's `_init_weights` does in `transformers` 5 (normal weights with
    /// the config's `initializer_range`, zero biases, unit norms, zeroed padding rows, GPT-2's
    /// scaled residual projections, T5's factor-scaled rules), then tied.
    ///
    /// ```swift
    /// let config = try ModelConfig.read(path: "gpt2/config.json")
    /// let model = try PretrainedModel(config: config, seed: 42)   // the class from the registry
    /// ```
    ///
    /// - Parameters:
    ///   - config: the model's config.
    ///   - architecture: the class to build.
    ///   - dtype: the dtype of floating-point slots (default: the config's, else F32).
    ///   - seed: the seed of the normal generator; the same seed gives the same bytes.
    /// - Throws: `PretrainedError` for invalid configs; `.allocationFailed` for a slot the
    ///   memory cannot hold.
    public init(config: ModelConfig, architecture: any Architecture, dtype: DType? = nil,
                seed: UInt64 = 0) throws(PretrainedError) {
        let start = monotonicSeconds()
        let meta = try MetaModel(config: config, architecture: architecture, dtype: dtype)
        let rules = try WeightInitialization.rules(for: meta)
        var generator = NormalGenerator(seed: seed)
        var parameters: [Tensor] = []
        parameters.reserveCapacity(meta.slots.count)
        for (slot, rule) in zip(meta.slots, rules) {
            let storage = try TensorStorage.allocate(byteCount: slot.byteCount, zeroed: false, tensor: slot.name)
            WeightInitialization.fill(storage, slot: slot, rule: rule, generator: &generator)
            parameters.append(try Tensor(name: slot.name, dtype: slot.dtype, shape: slot.shape, storage: storage))
        }
        self.init(meta: meta, parameters: parameters, tiedWeights: [], report: LoadReport(),
                  seconds: monotonicSeconds() - start)
        try tieWeights(recomputeMapping: true)
    }
}
