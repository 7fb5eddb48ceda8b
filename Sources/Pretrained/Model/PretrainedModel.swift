/// A loaded (or freshly initialized) model: its config and skeleton, every parameter and
/// persistent buffer as a `Tensor` in `state_dict()` order, the tied-weights registry, the
/// parallel plans and the load report.
///
/// ```swift
/// var model = try load(pretrained: "Examples/tiny-gpt2")
/// model["lm_head.weight"]!.sharesStorage(with: model["transformer.wte.weight"]!)   // true: tied
/// model.config = model.config.setting("tie_word_embeddings", to: false)
/// try model.tieWeights()                                                            // unties
/// ```
public struct PretrainedModel: Sendable {
    /// The skeleton the model was built on (architecture, slots, declarations, plans).
    public private(set) var meta: MetaModel
    /// The config: change it, then call `tieWeights(recomputeMapping: true)` or `postInit()`
    /// to apply what it says about tying and plans.
    public var config: ModelConfig
    /// Every parameter and persistent buffer, in `state_dict()` order.
    public private(set) var parameters: [Tensor]
    /// Tied pairs, target -> source, as `all_tied_weights_keys` (pairs a checkpoint holds with
    /// different values are not tied and not listed).
    public private(set) var tiedWeights: [TiedPair]
    /// What the load found (empty for a model built from its config).
    public let report: LoadReport
    /// Wall time of the load or construction, in seconds.
    public let seconds: Double
    /// The rank, group size and per-parameter slices of a tensor-parallel load; `nil` otherwise.
    public internal(set) var tensorParallel: TensorParallelLayout?
    /// The background prefetch of the mapped parameters, when the load asked for one
    /// (`LoadOptions.prefetch`) and some parameter is a view of a mapped shard.
    public internal(set) var prefetch: Prefetch?

    private let index: [String: Int]

    init(meta: MetaModel, parameters: [Tensor], tiedWeights: [TiedPair], report: LoadReport,
         seconds: Double) {
        self.meta = meta
        self.config = meta.config
        self.parameters = parameters
        self.tiedWeights = tiedWeights
        self.report = report
        self.seconds = seconds
        self.index = Dictionary(parameters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The architecture's class name.
    public var architecture: String { meta.architecture.name }
    /// The tensor, pipeline and expert parallel plans.
    public var plans: ParallelPlans { meta.plans }

    /// The parameter or buffer named `name`; tied names return tensors sharing one storage.
    public subscript(name: String) -> Tensor? {
        index[name].map { parameters[$0] }
    }

    /// Every parameter and persistent buffer by name, for frameworks that take a dictionary
    /// (MLX's `ModuleParameters`, a weight map of your engine); tied names map to tensors that
    /// share one storage.
    public var parametersByName: [String: Tensor] {
        Dictionary(parameters.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The name of the first parameter (in order) whose storage `name` shares: its own name when
    /// it shares none.
    ///
    /// - Complexity: O(*n*); use `storageNames()` for every parameter at once.
    public func storageName(of name: String) -> String? {
        guard let tensor = self[name] else { return nil }
        return parameters.first { $0.storage === tensor.storage }?.name
    }

    /// `storageName(of:)` for every parameter, in order.
    ///
    /// - Complexity: O(*n*).
    public func storageNames() -> [String] {
        var first: [ObjectIdentifier: String] = [:]
        return parameters.map { tensor in
            let key = ObjectIdentifier(tensor.storage)
            if let name = first[key] { return name }
            first[key] = tensor.name
            return tensor.name
        }
    }

    /// The bytes of all distinct storages (tied parameters counted once).
    public var totalBytes: Int {
        var seen = Set<ObjectIdentifier>()
        return parameters.reduce(0) { total, tensor in
            seen.insert(ObjectIdentifier(tensor.storage)).inserted ? total + tensor.byteCount : total
        }
    }

    /// Checks that no mapped shard behind a parameter has shrunk since it was loaded.
    ///
    /// Zero-copy parameters view the shard files. If another process truncates one, the fault
    /// guard keeps the process alive and the lost bytes read as zeros; this turns that into an
    /// error. Loads with `copy: true` or the `.pread` backend own their bytes and always pass.
    ///
    /// - Throws: `PretrainedError.shardChanged` naming the first damaged shard.
    /// - Complexity: one `fstat(2)` per mapped shard.
    public func checkIntact() throws(PretrainedError) {
        var checked = Set<ObjectIdentifier>()
        for tensor in parameters {
            guard case .mapped(let file) = tensor.storage.backing,
                  checked.insert(ObjectIdentifier(file)).inserted else { continue }
            if !file.isIntact { throw .shardChanged(file: file.path) }
        }
    }

    /// Replaces the storage of the parameter at `position`.
    mutating func setStorage(_ storage: TensorStorage, at position: Int) {
        parameters[position].storage = storage
    }

    mutating func setTiedWeights(_ pairs: [TiedPair]) {
        tiedWeights = pairs
    }

    mutating func setMeta(_ meta: MetaModel) {
        self.meta = meta
    }

    func position(of name: String) -> Int? { index[name] }
}
