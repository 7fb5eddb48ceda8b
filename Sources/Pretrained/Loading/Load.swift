#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        throw .noCheckpoint(path: source, reason: "no config.json beside the checkpoint")
    }
    let config = try ModelConfig.read(path: configPath)
    let headers = try CheckpointHeaders.read(checkpoint)
    let dtype = try loadDType(options.dtype, config: config, headers: headers)
    let architecture = try resolveArchitecture(config, headers: headers, options: options)
    let model = try MetaModel(config: config, architecture: architecture, dtype: dtype)
    let plan = try LoadPlan(model: model, headers: headers, ignoreMismatchedSizes: options.ignoreMismatchedSizes,
                            keyMapping: options.keyMapping)
    let storages = try CheckpointReader(model: model, headers: headers, plan: plan, options: options).read()
    return try Finalizer.finalize(model: model, plan: plan, storages: storages, seconds: monotonicSeconds() - start)
}

/// The registered architecture for `config`, else (with `options.generic`) the checkpoint's own structure.
func resolveArchitecture(_ config: ModelConfig, headers: CheckpointHeaders,
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
            let tensors = headers.entries.flatMap { entry in
                entry.header.tensors.map {
                    CheckpointArchitecture.Stored(name: renames.target(of: $0.name).name, shape: $0.shape, dtype: $0.dtype)
                }
            }
            return try CheckpointArchitecture(config: config, tensors: tensors)
        default:
            throw error
        }
    }
}

/// A path as a checkpoint, else a model id in the Hugging Face cache.
func resolveSource(_ source: String, options: LoadOptions) throws(PretrainedError) -> Checkpoint {
    if FileSystem.kind(of: source) != .missing || !HubCache.isModelID(source) {
        return try Checkpoint.resolve(source)
    }
    let snapshot = try options.hubCache.snapshot(of: source, revision: options.revision)
    return try Checkpoint.resolve(snapshot, boundary: options.hubCache.repository(of: source))
}

/// The dtype of floating-point slots, as `transformers` 5 resolves `dtype="auto"`: the config's
/// dtype; else the first floating-point dtype (8-bit and smaller formats skipped) among the
/// tensors of the first shard in name order, with keys in name order; else F32.
func loadDType(_ choice: LoadOptions.DTypeChoice, config: ModelConfig, headers: CheckpointHeaders) throws(PretrainedError) -> DType {
    if case .fixed(let dtype) = choice { return dtype }
    if let dtype = try config.dtype() { return dtype }
    let first = headers.entries.min { $0.shard.name < $1.shard.name }
    let tensors = first?.header.tensors.sorted { $0.name < $1.name } ?? []
    return tensors.first { $0.dtype.isFloatingPoint && $0.dtype.bitSize >= 16 }?.dtype ?? .f32
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
