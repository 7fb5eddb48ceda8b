/// One node of a model's module tree, as PyTorch's `nn.Module`: its own parameters and
/// persistent buffers (local names, registration order) and its named children.
///
/// Modules are values built by architecture files with small constructors:
///
/// ```swift
/// Module("GPT2LMHeadModel", children: [
///     ("transformer", transformer),
///     ("lm_head", .linear(in: 768, out: 50257, bias: false)),
/// ])
/// ```
public struct Module: Sendable {
    /// A locally named tensor of this module: its name, shape and whether it is a buffer.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var shape: [Int]
        public var kind: TensorSlot.Kind
        /// A fixed dtype regardless of the model's (for example an integer buffer); `nil` follows
        /// the model.
        public var dtype: DType?

        public init(_ name: String, _ shape: [Int], kind: TensorSlot.Kind = .parameter, dtype: DType? = nil) {
            self.name = name
            self.shape = shape
            self.kind = kind
            self.dtype = dtype
        }
    }

    /// The PyTorch class name (`LlamaDecoderLayer`, `Linear`, ...), used by `_no_split_modules`.
    public var className: String
    /// Own parameters and persistent buffers, in registration order.
    public var entries: [Entry]
    /// Named children, in registration order.
    public var children: [(name: String, module: Module)]
    /// The module's own parallel plans (`_tp_plan`, `_pp_plan`, `_ep_plan`), relative to it.
    public var plans: ParallelPlans

    public init(_ className: String, entries: [Entry] = [], children: [(String, Module)] = [],
                plans: ParallelPlans = ParallelPlans()) {
        self.className = className
        self.entries = entries
        self.children = children.map { (name: $0.0, module: $0.1) }
        self.plans = plans
    }

    /// The child named `name`, if any.
    public func child(_ name: String) -> Module? {
        children.first { $0.name == name }?.module
    }
}

extension Module {
    /// `nn.Linear`: weight `[out, in]`, bias `[out]`.
    public static func linear(in inputs: Int, out outputs: Int, bias: Bool = true) -> Module {
        Module("Linear", entries: [Entry("weight", [outputs, inputs])] + (bias ? [Entry("bias", [outputs])] : []))
    }

    /// `nn.Embedding`: weight `[count, dimension]`.
    public static func embedding(_ count: Int, _ dimension: Int) -> Module {
        Module("Embedding", entries: [Entry("weight", [count, dimension])])
    }

    /// `nn.LayerNorm`: weight and (optionally) bias `[dimension]`.
    public static func layerNorm(_ dimension: Int, bias: Bool = true) -> Module {
        Module("LayerNorm", entries: [Entry("weight", [dimension])] + (bias ? [Entry("bias", [dimension])] : []))
    }

    /// An RMS norm with only a weight `[dimension]` (`LlamaRMSNorm`, `T5LayerNorm`, ...).
    public static func rmsNorm(_ className: String, _ dimension: Int) -> Module {
        Module(className, entries: [Entry("weight", [dimension])])
    }

    /// `nn.ModuleList`: children named `0`, `1`, ...
    public static func list(_ modules: [Module]) -> Module {
        Module("ModuleList", children: modules.enumerated().map { (String($0.offset), $0.element) })
    }

    /// A module with no tensors (activation, dropout, rotary embedding without persistent buffers).
    /// Kept in the tree only where a plan or a name refers to it.
    public static func stateless(_ className: String) -> Module {
        Module(className)
    }
}
