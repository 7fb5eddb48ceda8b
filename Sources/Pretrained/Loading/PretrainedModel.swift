/// A loaded model: its config and skeleton, every parameter and persistent buffer as a `Tensor`
/// in `state_dict()` order, the tied-weights registry, the parallel plans and the load report.
///
/// ```swift
/// let model = try load(pretrained: "Examples/tiny-gpt2")
/// let head = model["lm_head.weight"]!
/// head.sharesStorage(with: model["transformer.wte.weight"]!)   // true: tied
/// ```
public struct PretrainedModel: Sendable {
    /// The skeleton the model was loaded into (config, architecture, slots, declarations).
    public let meta: MetaModel
    /// Every parameter and persistent buffer, in `state_dict()` order.
    public let parameters: [Tensor]
    /// Tied pairs, target -> source, as `all_tied_weights_keys` after loading (pairs the
    /// checkpoint holds with different values are not tied and not listed).
    public let tiedWeights: [(target: String, source: String)]
    /// What the load found.
    public let report: LoadReport
    /// Wall time of the load, in seconds.
    public let seconds: Double

    private let index: [String: Int]

    init(meta: MetaModel, parameters: [Tensor], tiedWeights: [(target: String, source: String)], report: LoadReport,
         seconds: Double) {
        self.meta = meta
        self.parameters = parameters
        self.tiedWeights = tiedWeights
        self.report = report
        self.seconds = seconds
        self.index = Dictionary(parameters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The config the model was built from.
    public var config: ModelConfig { meta.config }
    /// The architecture's class name.
    public var architecture: String { meta.architecture.name }
    /// The tensor, pipeline and expert parallel plans.
    public var plans: ParallelPlans { meta.plans }

    /// The parameter or buffer named `name`; tied names return tensors sharing one storage.
    public subscript(name: String) -> Tensor? {
        index[name].map { parameters[$0] }
    }

    /// The name of the first parameter (in order) whose storage `name` shares: its own name when
    /// it shares none.
    public func storageName(of name: String) -> String? {
        guard let tensor = self[name] else { return nil }
        return parameters.first { $0.storage === tensor.storage }?.name
    }

    /// The bytes of all distinct storages (tied parameters counted once).
    public var totalBytes: Int {
        var seen = Set<ObjectIdentifier>()
        return parameters.reduce(0) { total, tensor in
            seen.insert(ObjectIdentifier(tensor.storage)).inserted ? total + tensor.byteCount : total
        }
    }
}
