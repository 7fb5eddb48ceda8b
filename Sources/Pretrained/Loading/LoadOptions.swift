/// How `load(pretrained:options:)` loads a checkpoint.
public struct LoadOptions: Sendable {
    /// The dtype of floating-point slots.
    public enum DTypeChoice: Sendable, Hashable {
        /// As `transformers` 5's default `dtype="auto"`: the config's dtype, else the first
        /// floating-point dtype of the checkpoint, else F32.
        case auto
        /// This dtype for every floating-point slot (F16 keeps `_keep_in_fp32_modules` in F32).
        case fixed(DType)
    }

    /// The dtype of floating-point slots; `.auto` by default.
    public var dtype: DTypeChoice = .auto
    /// A class to build instead of the config's `architectures[0]`.
    public var architecture: String?
    /// Materialize every tensor in owned memory instead of viewing the mapped shards.
    public var copy = false
    /// Report shape conflicts instead of failing; such slots keep their shape and are zero-filled.
    public var ignoreMismatchedSizes = false
    /// The seed of the generator that initializes parameters the checkpoint does not provide
    /// (`LoadReport.initialized`): the same seed gives the same bytes.
    public var initializationSeed: UInt64 = 0
    /// Fail the load (`PretrainedError.strictLoadFailed`) when any key is missing, unexpected or
    /// mismatched, instead of reporting it.
    public var strict = false
    /// How tensor bytes are read: `.mmap` (views where possible) or `.pread` (owned copies).
    public var backend: ReadBackend = .mmap
    /// The revision of a model id in the Hugging Face cache (a ref such as `main`, or a commit).
    public var revision = "main"
    /// The Hugging Face cache to resolve model ids in.
    public var hubCache: HubCache = .default()
    /// Where architectures are looked up.
    public var registry: ArchitectureRegistry = .shared
    /// Fill the slots of independent shards on separate cores.
    public var parallel = true
    /// Where each module goes (from `MetaModel.inferDeviceMap`): `cpu` placements are
    /// materialized in owned memory, `disk` placements stay lazy views of the mapped shards (read
    /// on first use), accelerator placements are filled into storage from `allocator`. `nil`
    /// loads everything as `copy` says.
    public var deviceMap: DeviceMap?
    /// Provides the storage of slots the device map places on an accelerator.
    public var allocator: any TensorAllocator = HostAllocator()
    /// The user's renames of checkpoint keys, applied in order before the architecture's own, as
    /// `from_pretrained(key_mapping=...)`: each pattern is a regular expression searched in the key,
    /// its first match replaced (`\1` in the replacement is the pattern's first group).
    public var keyMapping: [(pattern: String, replacement: String)] = []
    /// When no registered architecture fits the config, take the structure from the checkpoint:
    /// one slot per stored tensor (see `pretrained load --generic`); without it such a load fails
    /// with `unknownArchitecture`.
    public var generic = false
    /// Load only this rank's slices under the collected tp plan, as `from_pretrained(tp_plan="auto")`
    /// (see `TensorParallelRank.resolve` for the launcher's environment); `nil` loads whole tensors.
    public var tensorParallel: TensorParallelRank?
    /// When owned copies are read with direct I/O (`O_DIRECT`), bypassing the page cache: by
    /// default (`automatic`) the tensors of shards the page cache does not hold, so that a cold
    /// load reads at the device's speed and a warm one copies from memory. With `always`, a
    /// tensor-parallel rank also reads its slices at the device's block size (often 512 bytes)
    /// instead of whole pages. See `DirectIO`.
    public var directIO = DirectIO.automatic
    /// Bring the pages of zero-copy views into memory in the background, in parameter order, as
    /// soon as the load returns (`PretrainedModel.prefetch`): on a cold page cache the first use
    /// of the weights then runs at the disk's speed instead of faulting page by page. Owned
    /// copies need none.
    public var prefetch = false
    /// Dequantize a pre-quantized checkpoint (config `quantization_config` / `quantization`) to
    /// the slot dtype, exactly as `transformers` 5.23 (FP8, MXFP4) or `mlx.core.dequantize` (MLX
    /// affine) does; without it, quantized weights and their companions are held as stored.
    public var dequantize = false
    /// The most memory the load may allocate for slots (owned copies, conversions, zero-filled
    /// slots and the allocator's storage), checked before the first allocation: over it, the load
    /// throws `PretrainedError.memoryBudgetExceeded`. Zero-copy views of mapped shards do not
    /// count. `nil`: no budget of the caller's; the process's address-space limit (`RLIMIT_AS`),
    /// when set, is always one.
    public var memoryBudget: Int?
    /// The most zero-filled memory the load may allocate for slots the checkpoint does not provide
    /// (missing, or mismatched under `ignoreMismatchedSizes`); slots filled by tying cost nothing.
    /// Over it, the load throws `PretrainedError.unprovidedSlotsTooLarge`. `nil`: the default,
    /// `defaultUnprovidedLimit(checkpointBytes:)`; `Int.max`: no limit, as `transformers`.
    public var unprovidedBytesLimit: Int?

    /// What a checkpoint of `checkpointBytes` tensor bytes justifies for the slots it does not
    /// provide: four times its size (a new head, a decoder beside a pretrained encoder), and at
    /// least 1 GiB. A config that asks for far more describes a model the checkpoint is not: a
    /// 1 KB download must not make its host allocate terabytes.
    public static func defaultUnprovidedLimit(checkpointBytes: Int) -> Int {
        max(checkpointBytes.multipliedReportingOverflow(by: 4).overflow ? Int.max : checkpointBytes * 4, 1 << 30)
    }

    /// Called as tensors are read into owned memory (within a shard) and after each shard is
    /// read, from the thread that read them: one call at a time, with counts that never go back.
    public var progress: (@Sendable (LoadProgress) -> Void)?
    /// Set by the `async` load: cancelling its task stops the load between shards and tensors.
    var cancellation: LoadCancellation?

    public init(dtype: DTypeChoice = .auto, architecture: String? = nil, copy: Bool = false,
                ignoreMismatchedSizes: Bool = false, backend: ReadBackend = .mmap) {
        self.dtype = dtype
        self.architecture = architecture
        self.copy = copy
        self.ignoreMismatchedSizes = ignoreMismatchedSizes
        self.backend = backend
    }
}

/// Progress of a load, reported as copied tensors arrive and once per shard read.
public struct LoadProgress: Sendable {
    /// The shard being read, or just read.
    public var shard: String
    /// Shards read so far, and in all.
    public var shardsDone: Int
    public var shardCount: Int
    /// Tensor bytes read so far (whole shards once done, views included), and in all.
    public var bytesDone: Int
    public var totalBytes: Int
}
