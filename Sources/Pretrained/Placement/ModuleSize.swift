/// One module's parameters, as `sum(p.numel() for p in module.parameters())`: everything it owns
/// directly or through its children, a storage shared inside the module counted once.
///
/// A parameter tied across modules counts in each module that holds it (GPT-2's `lm_head` and
/// `transformer.wte` both list the embedding), as `module.parameters()` sees it; model totals
/// (`MetaModel.parameterCount`) and device maps (`MetaModel.moduleSizes(dtype:)`) count it once.
public struct ModuleSize: Sendable, Hashable {
    /// The full dotted name (`model.layers.0`).
    public var name: String
    /// The PyTorch class (`LlamaDecoderLayer`).
    public var className: String
    /// The number of parameter elements.
    public var parameters: Int
    /// Their bytes at the slot dtypes.
    public var bytes: Int

    public init(name: String, className: String, parameters: Int, bytes: Int) {
        self.name = name
        self.className = className
        self.parameters = parameters
        self.bytes = bytes
    }
}

/// What sharing storage saves: the parameters that tied names would hold as copies if every tied
/// pair were untied (`num_parameters()` untied minus tied).
public struct TyingSavings: Sendable, Hashable {
    /// Parameter elements not stored twice.
    public var parameters: Int
    /// Their bytes at the slot dtypes.
    public var bytes: Int

    public init(parameters: Int, bytes: Int) {
        self.parameters = parameters
        self.bytes = bytes
    }
}
