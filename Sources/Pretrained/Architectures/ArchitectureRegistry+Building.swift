extension MetaModel {
    /// Builds the skeleton of `config` with the class a registry finds for it.
    ///
    /// - Parameters:
    ///   - config: the model's config.
    ///   - name: a class to build instead of the config's (`GPT2Model` for a
    ///     `GPT2LMHeadModel` config).
    ///   - dtype: the dtype of floating-point slots; default the config's, else F32.
    ///   - registry: where architectures are looked up.
    /// - Throws: `PretrainedError` for unknown architectures and invalid configs.
    public init(config: ModelConfig, architecture name: String? = nil, dtype: DType? = nil,
                registry: ArchitectureRegistry = .shared) throws(PretrainedError) {
        let architecture = try registry.resolve(config, name: name)
        try self.init(config: config, architecture: architecture, dtype: dtype)
    }
}

extension PretrainedModel {
    /// Builds a model from its config without a checkpoint, with the class a registry finds for
    /// it, initialized as `init(config:architecture:dtype:seed:)` describes.
    ///
    /// - Parameters:
    ///   - config: the model's config.
    ///   - name: a class to build instead of the config's.
    ///   - dtype: the dtype of floating-point slots (default: the config's, else F32).
    ///   - seed: the seed of the normal generator; the same seed gives the same bytes.
    ///   - registry: where architectures are looked up.
    /// - Throws: `PretrainedError` for unknown architectures and invalid configs.
    public init(config: ModelConfig, architecture name: String? = nil, dtype: DType? = nil, seed: UInt64 = 0,
                registry: ArchitectureRegistry = .shared) throws(PretrainedError) {
        try self.init(config: config, architecture: try registry.resolve(config, name: name), dtype: dtype, seed: seed)
    }
}
