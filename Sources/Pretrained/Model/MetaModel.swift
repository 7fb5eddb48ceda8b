/// A model skeleton: every parameter and persistent buffer as a `TensorSlot` (no weight memory;
/// non-persistent buffers stay in the module tree, not in `slots`),
/// the expanded tied-weights map and the collected parallel plans, as `transformers` has them
/// after `from_config` on the meta device and `post_init`.
///
/// ```swift
/// let config = try ModelConfig.read(path: "Llama-2-7b-hf/config.json")
/// let model = try MetaModel(config: config)
/// print(model.parameterCount)   // 6738415616
/// ```
public struct MetaModel: Sendable {
    /// The architecture the skeleton was built with.
    public let architecture: any Architecture
    /// The config it was built from.
    public let config: ModelConfig
    /// The module tree.
    public let root: Module
    /// The dtype of floating-point slots (the config's dtype unless overridden; F32 by default).
    public let dtype: DType
    /// Every slot in `state_dict()` order.
    public internal(set) var slots: [TensorSlot]
    /// Tied parameters, target -> source, expanded against the slot names and gated by the
    /// config (`all_tied_weights_keys`).
    public let tiedWeights: [TiedPair]
    /// Tensor, pipeline and expert parallel plans collected at post-init.
    public let plans: ParallelPlans
    /// The quantization the skeleton was built for, if any.
    public let quantization: QuantizationScheme?
    /// Every quantized weight's stored layout, in slot order (empty without `quantization`).
    public let quantizedLayouts: [QuantizedLayout]

    private let slotIndex: [String: Int]

    /// Builds the skeleton of `config` with `architecture`.
    ///
    /// With `quantization`, every module the scheme quantizes has its `weight` slot replaced by
    /// the stored parts (`quantizedLayouts`); `storedDType` gives companions their stored dtypes.
    public init(config: ModelConfig, architecture: any Architecture, dtype: DType? = nil,
                quantization: QuantizationScheme? = nil,
                storedDType: (String) -> DType? = { _ in nil }) throws(PretrainedError) {
        let configDType = try config.dtype()
        let modelDType = dtype ?? configDType ?? .f32
        let root = try architecture.build(config)
        try Self.checkSizes(root, config: config)
        let keepInFP32 = Self.keepInFP32Fragments(architecture, dtype: modelDType)
        var slots: [TensorSlot] = []
        Self.collectSlots(root, prefix: "", dtype: modelDType, keepInFP32: keepInFP32, into: &slots)
        var tied = try architecture.tiesWeights(config)
            ? TiedWeights.expand(architecture.tiedWeightsKeys, names: slots.map(\.name), architecture: architecture.name)
            : []
        var layouts: [QuantizedLayout] = []
        if let quantization {
            (slots, layouts) = try Self.quantize(slots, root: root, scheme: quantization, tied: tied, file: config.file,
                                                 storedDType: storedDType)
            tied = Self.quantizedTies(tied, layouts: layouts)
        }
        var index: [String: Int] = [:]
        for (i, slot) in slots.enumerated() {
            guard index.updateValue(i, forKey: slot.name) == nil else {
                throw .invalidArchitecture(name: architecture.name, reason: "slot '\(slot.name)' is declared twice")
            }
        }
        self.architecture = architecture
        self.config = config
        self.root = root
        self.dtype = modelDType
        self.slots = slots
        self.slotIndex = index
        self.plans = Self.collectPlans(root)
        self.tiedWeights = tied
        self.quantization = quantization
        self.quantizedLayouts = layouts
    }

    /// Checks that every tensor of the tree, and all of them together, have element and byte
    /// counts that fit in `Int` (at 8 bytes per element, the widest float): a hostile config must
    /// end in a typed error, not an overflow trap later.
    static func checkSizes(_ root: Module, config: ModelConfig) throws(PretrainedError) {
        var total = 0
        func visit(_ module: Module, prefix: String) throws(PretrainedError) {
            for entry in module.entries {
                var elements = 1
                for dimension in entry.shape {
                    let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                    guard !overflow, dimension >= 0 else {
                        throw .invalidConfig(file: config.file, reason: "'\(prefix + entry.name)' would have shape \(entry.shape), whose size overflows")
                    }
                    elements = product
                }
                let (bytes, overflow) = elements.multipliedReportingOverflow(by: 8)
                let (sum, sumOverflow) = total.addingReportingOverflow(bytes)
                guard !overflow, !sumOverflow else {
                    throw .invalidConfig(file: config.file, reason: "the model's size overflows at '\(prefix + entry.name)' \(entry.shape)")
                }
                total = sum
            }
            for child in module.children { try visit(child.module, prefix: prefix + child.name + ".") }
        }
        try visit(root, prefix: "")
    }

    /// The slot named `name`, if any.
    public func slot(named name: String) -> TensorSlot? {
        slotIndex[name].map { slots[$0] }
    }

    /// The position of `name` in `slots`.
    public func index(of name: String) -> Int? { slotIndex[name] }

    /// The number of parameters (buffers excluded), tied parameters counted once, as
    /// `model.num_parameters()`.
    public var parameterCount: Int {
        let tiedTargets = Set(tiedWeights.map(\.target))
        return slots.filter { $0.kind == .parameter && !tiedTargets.contains($0.name) }.reduce(0) { $0 + $1.elementCount }
    }

    /// The bytes of parameters at their slot dtypes, tied parameters counted once.
    public var parameterBytes: Int {
        let tiedTargets = Set(tiedWeights.map(\.target))
        return slots.filter { $0.kind == .parameter && !tiedTargets.contains($0.name) }.reduce(0) { $0 + $1.byteCount }
    }

    static func collectSlots(_ module: Module, prefix: String, dtype: DType, keepInFP32: [String],
                             into slots: inout [TensorSlot]) {
        for entry in module.entries where entry.persistent {
            let name = prefix + entry.name
            let slotDType = Self.dtype(of: entry, named: name, modelDType: dtype, keepInFP32: keepInFP32)
            slots.append(TensorSlot(name: name, shape: entry.shape, dtype: slotDType, kind: entry.kind))
        }
        for child in module.children {
            collectSlots(child.module, prefix: prefix + child.name + ".", dtype: dtype, keepInFP32: keepInFP32, into: &slots)
        }
    }

    /// The dtype a tensor of the tree holds: its fixed dtype, else F32 when its full name matches
    /// a keep-in-FP32 fragment, else the model's.
    static func dtype(of entry: Module.Entry, named name: String, modelDType: DType, keepInFP32: [String]) -> DType {
        if let fixed = entry.dtype { return fixed }
        return keepInFP32.contains(where: { name.contains($0) }) ? .f32 : modelDType
    }

    /// The keep-in-FP32 fragments that apply at the model's dtype.
    var keepInFP32Fragments: [String] { Self.keepInFP32Fragments(architecture, dtype: dtype) }

    /// `_keep_in_fp32_modules` at F16, plus `_keep_in_fp32_modules_strict` at F16 and BF16.
    static func keepInFP32Fragments(_ architecture: any Architecture, dtype: DType) -> [String] {
        (dtype == .f16 ? architecture.keepInFP32Modules : [])
            + (dtype == .f16 || dtype == .bf16 ? architecture.keepInFP32ModulesStrict : [])
    }

    /// A module's own plans, then each child's collected plans prefixed by the child's name.
    static func collectPlans(_ module: Module) -> ParallelPlans {
        var plans = module.plans
        for child in module.children {
            plans.merge(collectPlans(child.module), prefix: child.name)
        }
        return plans
    }
}
