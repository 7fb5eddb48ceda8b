/// Loads a checkpoint into its model, as `transformers`' `from_pretrained` does: resolve the
/// source, build the skeleton from `config.json`, plan every key from the headers, read the
/// shards into the slots (zero-copy views where possible), tie weights and report.
///
/// ```swift
/// let model = try load(pretrained: "Examples/tiny-gpt2")
/// print(model.report.missing, model.tiedWeights)
/// let bf16AsF32 = try load(pretrained: "org/name", options: LoadOptions(dtype: .fixed(.f32)))
/// ```
///
/// - Parameters:
///   - source: a checkpoint folder, an index JSON, a single `.safetensors` file with a
///     `config.json` beside it, or a model id (`gpt2`, `org/name`) in the local Hugging Face cache.
///   - options: dtype, architecture, copying, mismatch handling, backend, revision.
/// - Returns: the loaded model; its `report` lists missing, unexpected and mismatched keys.
/// - Throws: `PretrainedError` naming the file, the tensor and the reason for anything wrong
///   with the files; nothing is partially returned.
public func load(pretrained source: String, options: LoadOptions = LoadOptions()) throws(PretrainedError) -> PretrainedModel {
    let start = monotonicSeconds()
    let checkpoint = try resolveSource(source, options: options)
    guard let configPath = checkpoint.configPath else {
        let config = Path.join(checkpoint.directory, "config.json")
        if let kind = FileSystem.describe(config) {
            throw .invalidConfig(file: config, reason: "it is \(kind), not a regular file")
        }
        throw .noCheckpoint(path: source, reason: "no config.json beside the checkpoint")
    }
    let config = try ModelConfig.read(path: configPath)
    let opened = try OpenedCheckpoint.open(checkpoint, backend: options.backend)
    let dtype = try loadDType(options.dtype, config: config, opened: opened)
    let architecture = try options.registry.resolve(config, name: options.architecture)
    let model = try MetaModel(config: config, architecture: architecture, dtype: dtype)
    let plan = try LoadPlan(model: model, opened: opened, ignoreMismatchedSizes: options.ignoreMismatchedSizes)
    let storages = try CheckpointReader(model: model, opened: opened, plan: plan, options: options).read()
    return try Finalizer.finalize(model: model, plan: plan, storages: storages, seconds: monotonicSeconds() - start)
}

/// A path as a checkpoint, else a model id in the Hugging Face cache.
func resolveSource(_ source: String, options: LoadOptions) throws(PretrainedError) -> Checkpoint {
    if FileSystem.kind(of: source) != .missing || !HubCache.isModelID(source) {
        return try Checkpoint.resolve(source)
    }
    return try options.hubCache.checkpoint(of: source, revision: options.revision)
}

/// The dtype of floating-point slots, as `transformers` 5 resolves `dtype="auto"`: the config's
/// dtype; else the first floating-point dtype (8-bit and smaller formats skipped) among the
/// tensors of the first shard in name order, with keys in name order; else F32.
func loadDType(_ choice: LoadOptions.DTypeChoice, config: ModelConfig, opened: OpenedCheckpoint) throws(PretrainedError) -> DType {
    if case .fixed(let dtype) = choice { return dtype }
    if let dtype = try config.dtype() { return dtype }
    let first = opened.shards.min { $0.shard.name < $1.shard.name }
    let tensors = first?.header.tensors.sorted { $0.name < $1.name } ?? []
    return tensors.first { $0.dtype.isFloatingPoint && $0.dtype.bitSize >= 16 }?.dtype ?? .f32
}
