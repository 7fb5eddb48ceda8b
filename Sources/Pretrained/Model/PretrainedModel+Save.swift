extension PretrainedModel {
    /// Writes the model as `transformers`' `save_pretrained` does: `config.json`, then the
    /// parameters and persistent buffers in `state_dict()` order as `model.safetensors`, or as
    /// `model-0000K-of-0000N.safetensors` shards with `model.safetensors.index.json` when they
    /// exceed `maxShardBytes`. Each file is written atomically (temporary file, fsync, rename) into
    /// `directory`, which is created when missing.
    ///
    /// Names that share one storage are written once, as safetensors requires and as
    /// `remove_tied_weights_from_state_dict` decides: the tied targets among them are dropped
    /// (`lm_head.weight` when it shares `transformer.wte.weight`), and of any other names still
    /// sharing, the first in name order is kept. Loading the folder back gives the same tensors.
    ///
    /// ```swift
    /// try model.save(pretrained: "/tmp/my-model")
    /// ```
    ///
    /// - Parameters:
    ///   - directory: the folder to write into.
    ///   - maxShardBytes: the largest shard (`max_shard_size`, 50 GB by default as in `transformers` 5).
    /// - Returns: what the sharded writer wrote.
    /// - Throws: `PretrainedError.io` when a file cannot be written.
    @discardableResult
    public func save(pretrained directory: String, maxShardBytes: Int = 50_000_000_000) throws(PretrainedError)
        -> ShardedCheckpointWriter.Result {
        let dropped = namesWrittenOnceDropping()
        let tensors = parameters.filter { !dropped.contains($0.name) }
        let result = try ShardedCheckpointWriter.write(tensors, maxShardBytes: maxShardBytes, to: directory)
        let text = Array((config.json.serialized(pretty: true) + "\n").utf8)
        try AtomicFile.write(to: Path.join(directory, "config.json")) { (sink) throws(PretrainedError) in
            try sink.write(text)
        }
        return result
    }

    /// The names to leave out so that every storage is written under one name.
    func namesWrittenOnceDropping() -> Set<String> {
        var groups: [ObjectIdentifier: [String]] = [:]
        for tensor in parameters where tensor.byteCount > 0 {
            groups[ObjectIdentifier(tensor.storage), default: []].append(tensor.name)
        }
        let targets = Set(tiedWeights.map(\.target))
        var dropped = Set<String>()
        for names in groups.values where names.count > 1 {
            let sorted = names.sorted()
            var kept = sorted.filter { !targets.contains($0) }
            if kept.isEmpty { kept = [sorted[0]] }
            dropped.formUnion(sorted.filter { $0 != kept[0] })
        }
        return dropped
    }
}
