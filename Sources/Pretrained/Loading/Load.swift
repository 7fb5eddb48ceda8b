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
    let checkpoint = try Checkpoint.locate(source, revision: options.revision, cache: options.hubCache)
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
    let architecture = try resolveArchitecture(config, opened: opened, options: options)
    let quantization = try QuantizationScheme.detect(config: config.json, file: config.file)
    if quantization != nil, let tp = options.tensorParallel, tp.size > 1 {
        throw .invalidTensorParallel(reason: "a pre-quantized checkpoint cannot yet be loaded rank by rank")
    }
    let storedDTypes = quantization == nil ? [:] : Dictionary(opened.shards.flatMap { shard in
        shard.header.tensors.map { ($0.name, $0.dtype) } }, uniquingKeysWith: { first, _ in first })
    let full = try MetaModel(config: config, architecture: architecture, dtype: dtype, quantization: quantization,
                             storedDType: { storedDTypes[$0] })
    let fullPlan = try LoadPlan(model: full, opened: opened, ignoreMismatchedSizes: options.ignoreMismatchedSizes,
                                keyMapping: options.keyMapping)
    let (model, plan, layout) = try tensorParallelSlice(full, plan: fullPlan, tp: options.tensorParallel)
    let storages = try CheckpointReader(model: model, opened: opened, plan: plan, options: options).read()
    var loaded = try Finalizer.finalize(model: model, plan: plan, storages: storages,
                                        initializationSeed: options.initializationSeed, seconds: monotonicSeconds() - start)
    loaded.tensorParallel = layout
    if options.dequantize, quantization != nil {
        let plain = try MetaModel(config: config, architecture: architecture, dtype: dtype)
        var files = Dictionary(opened.shards.flatMap { shard in shard.header.tensors.map { ($0.name, shard.shard.path) } },
                               uniquingKeysWith: { first, _ in first })
        // A slot filled from other names (experts merged one by one) is named by the shard of its first piece.
        for (index, fill) in plan.fills.enumerated() {
            if let piece = fill?.pieces.first, files[model.slots[index].name] == nil {
                files[model.slots[index].name] = opened.shards[piece.shard].shard.path
            }
        }
        loaded = try Dequantization.apply(loaded, plain: plain, source: source, files: files)
    }
    if options.strict { try requireComplete(loaded.report, source: source) }
    if options.prefetch { loaded.prefetch = Prefetch.start(loaded.parameters, threads: CheckpointReader.readThreads) }
    return loaded
}

/// Throws `.strictLoadFailed` when `report` has a missing, unexpected or mismatched key.
func requireComplete(_ report: LoadReport, source: String) throws(PretrainedError) {
    let first = report.mismatched.first.map { "'\($0.name)' has shape \($0.checkpointShape) in the checkpoint, \($0.modelShape) in the model" }
        ?? report.unexpected.first.map { "'\($0)' is unexpected" }
        ?? report.missing.first.map { "'\($0)' is missing" }
    guard let first else { return }
    throw .strictLoadFailed(checkpoint: source, missing: report.missing.count, unexpected: report.unexpected.count,
                            mismatched: report.mismatched.count, first: first)
}

/// The registered architecture for `config`, else (with `options.generic`) the checkpoint's own structure.
func resolveArchitecture(_ config: ModelConfig, opened: OpenedCheckpoint,
                         options: LoadOptions) throws(PretrainedError) -> any Architecture {
    do {
        return try options.registry.resolve(config, name: options.architecture)
    } catch {
        guard options.generic, options.architecture == nil else { throw error }
        switch error {
        case .unknownArchitecture, .invalidConfig:
            // The slots are the stored tensors under the names the user's and the legacy renames give them.
            let renames = try KeyMapper(architecture: CheckpointArchitecture(config: config, tensors: []),
                                        keyMapping: options.keyMapping, hasSlot: { _ in false })
            let tensors = opened.shards.flatMap { shard in
                shard.header.tensors.map {
                    CheckpointArchitecture.Stored(name: renames.renamed($0.name), shape: $0.shape, dtype: $0.dtype)
                }
            }
            return try CheckpointArchitecture(config: config, tensors: tensors)
        default:
            throw error
        }
    }
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
