extension PretrainedModel {
    /// Ties weights by hand, as `transformers`' `tie_weights(missing_keys=..., recompute_mapping=...)`.
    ///
    /// Each tied target shares its source's storage; when `missingKeys` holds the source but not
    /// the target, the source shares the target's instead (the side that has values wins).
    /// Targets that were tied before and are no longer in the mapping get their own copy, so
    /// setting `tie_word_embeddings` to `false` in `config` and calling this unties.
    ///
    /// - Parameters:
    ///   - missingKeys: names whose values are not meaningful (not loaded).
    ///   - recomputeMapping: re-expand the tied map from `config` and the architecture (`true`),
    ///     or reuse `tiedWeights` (`false`).
    /// - Throws: `PretrainedError` when the config is invalid or the declarations do not expand.
    public mutating func tieWeights(missingKeys: Set<String> = [], recomputeMapping: Bool = true) throws(PretrainedError) {
        let previous = tiedWeights
        let mapping = recomputeMapping ? try expandedTiedWeights() : tiedWeights
        for (target, source) in mapping {
            guard let t = position(of: target), let s = position(of: source) else { continue }
            if missingKeys.contains(source) && !missingKeys.contains(target) {
                setStorage(parameters[t].storage, at: s)
            } else {
                setStorage(parameters[s].storage, at: t)
            }
        }
        let kept = Set(mapping.map(\.target))
        for (target, _) in previous where !kept.contains(target) {
            guard let t = position(of: target) else { continue }
            setStorage(TensorStorage(copying: UnsafeRawBufferPointer(parameters[t].storage.bytes)), at: t)
        }
        setTiedWeights(mapping)
    }

    /// Gives every tied target its own copy of its values and empties `tiedWeights`.
    public mutating func untieWeights() {
        for (target, _) in tiedWeights {
            guard let t = position(of: target) else { continue }
            setStorage(TensorStorage(copying: UnsafeRawBufferPointer(parameters[t].storage.bytes)), at: t)
        }
        setTiedWeights([])
    }

    /// Re-runs post-init from `config`: the skeleton's declarations, the tied registry (without
    /// retying storage; call `tieWeights()` for that) and the tp/pp/ep plans.
    ///
    /// - Throws: `PretrainedError` when `config` no longer describes the same slots.
    public mutating func postInit() throws(PretrainedError) {
        let rebuilt = try MetaModel(config: config, architecture: meta.architecture, dtype: meta.dtype)
        guard rebuilt.slots.map(\.name) == meta.slots.map(\.name), rebuilt.slots.map(\.shape) == meta.slots.map(\.shape) else {
            throw .invalidConfig(file: config.file, reason: "the config now describes different parameters than the model has")
        }
        setMeta(rebuilt)
        setTiedWeights(rebuilt.tiedWeights)
    }

    private func expandedTiedWeights() throws(PretrainedError) -> [(target: String, source: String)] {
        guard try meta.architecture.tiesWeights(config) else { return [] }
        return try TiedWeights.expand(meta.architecture.tiedWeightsKeys, names: meta.slots.map(\.name),
                                      architecture: meta.architecture.name)
    }
}
