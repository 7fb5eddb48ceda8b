import Pretrained

/// The entry points the libFuzzer driver (`scripts/fuzz`) and the replay tests drive: each takes
/// arbitrary bytes and must end in `.accepted` or `.rejected`, never in a crash, a trap, a hang,
/// an unbounded allocation or a `.violation`.
///
/// ```swift
/// let workspace = try FuzzWorkspace()
/// let outcome = FuzzTarget.shard.run(bytes, in: workspace)
/// assert(!outcome.isViolation)
/// ```
///
/// To fuzz another stage, add a case here, an oracle beside `SafetensorsOracle`, a seed folder
/// under `Tests/PretrainedTests/FuzzCorpus/` and the case's name in `scripts/fuzz`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The bytes are a JSON document for `JSONParser`; an accepted document must be valid UTF-8
    /// and survive serializing (compact and pretty) and parsing again unchanged.
    case json
    /// The bytes are a whole safetensors file image, validated in memory (length prefix, header
    /// JSON, layout); an accepted header must satisfy every layout invariant, and the outcome must
    /// agree with the header's JSON tree (`HeaderOracle.checkAgainstTree`).
    case header
    /// The bytes are written to a file and opened with the `.mmap` and `.pread` backends and the
    /// header-only reader, which must agree; every tensor is read and compared with the input.
    case shard
    /// The bytes are a `model.safetensors.index.json` beside a fixed set of shards, a sub-folder,
    /// a folder named like a shard and a symbolic link that escapes; the checkpoint is resolved
    /// and its headers cross-checked.
    case index
    /// The bytes are the `model.safetensors` of a tiny GPT-2 (`LoadOracle.config`), loaded with
    /// `load(pretrained:)` as views, with `.pread` and as copies (which must agree), and at other
    /// dtypes and with mismatches ignored.
    case load
    /// The bytes are a compressed shard (first byte: even for zstd, odd for lz4), decoded by
    /// `CompressedShardReader` with one thread and with three, which must agree.
    case compressed
    /// The bytes are a `config.json` beside a fixed tiny GPT-2 shard: parsed, its skeleton built
    /// and loaded under a 64 MiB budget (`ConfigOracle`).
    case config
    /// The bytes are a revision and the content of `refs/main` in a fixed Hugging Face cache with
    /// links that escape (`CacheOracle`); an accepted checkpoint must lie inside the repository.
    case cache

    /// The largest input worth fuzzing (`-max_len`).
    public var maximumLength: Int {
        switch self {
        case .json: return 4096
        case .header, .shard: return 16384
        case .index: return 4096
        case .load: return 16384
        case .compressed: return 16384
        case .config: return 4096
        case .cache: return 512
        }
    }

    /// Runs the target on `data`.
    ///
    /// - Parameters:
    ///   - data: the fuzz input.
    ///   - workspace: a private scratch folder (one per thread of fuzzing or per test).
    /// - Returns: what the input did; `.violation` is a bug.
    public func run(_ data: UnsafeRawBufferPointer, in workspace: FuzzWorkspace) -> FuzzOutcome {
        do throws(InvariantViolation) {
            switch self {
            case .json: return try JSONOracle.check(data)
            case .header: return try HeaderOracle.check(fileImage: data)
            case .shard: return try SafetensorsOracle.check(fileBytes: data, in: workspace)
            case .index: return try CheckpointOracle.checkIndex(data, in: workspace)
            case .load: return try LoadOracle.check(data, in: workspace)
            case .compressed: return try CompressedOracle.check(data, in: workspace)
            case .config: return try ConfigOracle.check(data, in: workspace)
            case .cache: return try CacheOracle.check(data, in: workspace)
            }
        } catch {
            return .violation(error.reason)
        }
    }

    /// Runs the target on `bytes`.
    public func run(_ bytes: [UInt8], in workspace: FuzzWorkspace) -> FuzzOutcome {
        bytes.withUnsafeBytes { run($0, in: workspace) }
    }
}
