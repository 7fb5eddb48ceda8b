extension PretrainedModel {
    /// Ties weights by hand, as `transformers`' `tie_weights(missing_keys=..., recompute_mapping=...)`.
    ///
    /// Without `missingKeys`, each tied target shares its source's storage. With them, tying is
    /// symmetric as during a load (`Tying`): the side that has values wins, pairs whose two
    /// present sides differ are left untied and leave `tiedWeights`. Targets that were tied before
    /// and are no longer in the mapping get their own copy, so setting `tie_word_embeddings` to
    /// `false` in `config` and calling this unties.
    ///
    /// - Parameters:
    ///   - missingKeys: names whose values are not meaningful (not loaded), or `nil`.
    ///   - recomputeMapping: re-expand the tied map from `config` and the architecture (`true`),
    ///     or reuse `tiedWeights` (`false`).
    /// - Throws: `PretrainedError` when the config is invalid or the declarations do not expand.
    public mutating func tieWeights(missingKeys: Set<String>? = nil, recomputeMapping: Bool = true) throws(PretrainedError) {
        let previous = tiedWeights
        let mapping = recomputeMapping ? try expandedTiedWeights() : tiedWeights
        let known = mapping.filter { position(of: $0.target) != nil && position(of: $0.source) != nil }
        var storages = parameters.map(\.storage)
        var missing = missingKeys.map { Set($0.compactMap(position(of:))) }
        let outcomes = Tying.tie(known.map { (position(of: $0.target)!, position(of: $0.source)!) },
                                 storages: &storages, missing: &missing)
        for (index, storage) in storages.enumerated() where storage !== parameters[index].storage {
            setStorage(storage, at: index)
        }
        let untied = Set(zip(known, outcomes).filter { $0.1 == .untied }.map(\.0.target))
        let kept = mapping.filter { !untied.contains($0.target) }
        let keptTargets = Set(kept.map(\.target))
        for pair in previous where !keptTargets.contains(pair.target) {
            guard let t = position(of: pair.target) else { continue }
            setStorage(TensorStorage(copying: UnsafeRawBufferPointer(parameters[t].storage.bytes)), at: t)
        }
        setTiedWeights(kept)
    }

    /// Gives every tied target its own copy of its values and empties `tiedWeights`.
    public mutating func untieWeights() {
        for pair in tiedWeights {
            guard let t = position(of: pair.target) else { continue }
            setStorage(TensorStorage(copying: UnsafeRawBufferPointer(parameters[t].storage.bytes)), at: t)
        }
        setTiedWeights([])
    }

    /// Re-runs post-init from `config`: the skeleton's declarations, the tied registry (without
    /// retying storage; call `tieWeights()` for that) and the tp/pp/ep plans.
    ///
    /// - Throws: `PretrainedError` when `config` no longer describes the same slots.
    public mutating func postInit() throws(PretrainedError) {
        let stored = meta
        let rebuilt = try MetaModel(config: config, architecture: meta.architecture, dtype: meta.dtype,
                                    quantization: meta.quantization, storedDType: { stored.slot(named: $0)?.dtype })
        guard rebuilt.slots.map(\.name) == meta.slots.map(\.name), rebuilt.slots.map(\.shape) == meta.slots.map(\.shape) else {
            throw .invalidConfig(file: config.file, reason: "the config now describes different parameters than the model has")
        }
        setMeta(rebuilt)
        setTiedWeights(rebuilt.tiedWeights)
    }

    private func expandedTiedWeights() throws(PretrainedError) -> [TiedPair] {
        guard try meta.architecture.tiesWeights(config) else { return [] }
        let expanded = try TiedWeights.expand(meta.architecture.tiedWeightsKeys, names: meta.slots.map(\.name),
                                              architecture: meta.architecture.name)
        return MetaModel.quantizedTies(expanded, layouts: meta.quantizedLayouts)
    }
}
