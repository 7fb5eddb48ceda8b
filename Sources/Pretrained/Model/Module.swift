/// One node of a model's module tree, as PyTorch's `nn.Module`: its own parameters and buffers
/// (local names, registration order) and its named children, stateless ones (dropouts,
/// activations) included, since device maps place every child.
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
    /// A locally named tensor of this module: its name, shape, whether it is a buffer and, for a
    /// buffer, whether it is persistent.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var shape: [Int]
        public var kind: TensorSlot.Kind
        /// A fixed dtype regardless of the model's (for example an integer buffer); `nil` follows
        /// the model.
        public var dtype: DType?
        /// Whether the tensor is in `state_dict()` (and so saved and loaded). `false` only for a
        /// buffer registered with `persistent=False` (`rotary_emb.inv_freq`, BERT's
        /// `position_ids`): not a slot, but it occupies memory, so device maps and memory
        /// accounting count it.
        public var persistent: Bool

        /// A parameter or persistent buffer; see `nonPersistentBuffer(_:_:dtype:)` for the others.
        public init(_ name: String, _ shape: [Int], kind: TensorSlot.Kind = .parameter, dtype: DType? = nil) {
            self.name = name
            self.shape = shape
            self.kind = kind
            self.dtype = dtype
            self.persistent = true
        }

        /// A buffer registered with `persistent=False`: never a slot, never in a checkpoint.
        ///
        /// ```swift
        /// Module("LlamaRotaryEmbedding", entries: [.nonPersistentBuffer("inv_freq", [64], dtype: .f32)])
        /// ```
        /// - Parameters:
        ///   - name: the buffer's name in its module.
        ///   - shape: its shape.
        ///   - dtype: the buffer's own dtype (`nil`: the model's).
        public static func nonPersistentBuffer(_ name: String, _ shape: [Int], dtype: DType?) -> Entry {
            var entry = Entry(name, shape, kind: .buffer, dtype: dtype)
            entry.persistent = false
            return entry
        }
    }

    /// The PyTorch class name (`LlamaDecoderLayer`, `Linear`, ...), used by `_no_split_modules`.
    public var className: String
    /// Own parameters and buffers (persistent or not), in registration order.
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

    /// A module with no tensors (an activation, `Dropout`). Stateless children are part of the
    /// tree as in PyTorch: `accelerate` places them like any other child (`transformer.drop`).
    public static func stateless(_ className: String) -> Module {
        Module(className)
    }

    /// `nn.Dropout`.
    public static var dropout: Module { Module("Dropout") }
}
