/// A model class that can be built from a config: the counterpart of a `transformers`
/// `PreTrainedModel` subclass (`GPT2LMHeadModel`, `LlamaForCausalLM`, ...).
///
/// An architecture states its module tree and its declarations; everything else (slot dtypes,
/// tie expansion, plan collection, key mapping) is shared machinery. See "Adding an
/// architecture" in the README for a complete example.
public protocol Architecture: Sendable {
    /// The class name, as in `config.json`'s `architectures` (`LlamaForCausalLM`).
    var name: String { get }
    /// The `model_type` of configs this class reads (`llama`).
    var modelType: String { get }
    /// The attribute under which head models hold the base model (`model`, `transformer`, `bert`).
    var baseModelPrefix: String { get }
    /// Whether this class is the base model itself (its tree is what heads hold under the prefix).
    var isBaseModel: Bool { get }

    /// The module tree for `config`, with class-level parallel plans on the modules that declare
    /// them (the base model's plans taken from the config class's `base_model_*_plan`).
    func build(_ config: ModelConfig) throws(PretrainedError) -> Module

    /// Tied parameters, target -> source (`_tied_weights_keys`), full names relative to this
    /// class; either side may be a regular expression matched against the slot names.
    var tiedWeightsKeys: [(target: String, source: String)] { get }
    /// Whether the tied keys apply to `config` (by default `tie_word_embeddings`, which defaults
    /// to `tiesByDefault`).
    func tiesWeights(_ config: ModelConfig) throws(PretrainedError) -> Bool
    /// The default of `tie_word_embeddings` for this family's config class.
    var tiesByDefault: Bool { get }

    /// Module classes that must stay on one device (`_no_split_modules`).
    var noSplitModules: [String] { get }
    /// Name fragments of parameters kept in F32 when the model loads in F16
    /// (`_keep_in_fp32_modules`, matched as a substring of the full name).
    var keepInFP32Modules: [String] { get }
    /// Name fragments of tensors kept in F32 when the model loads in F16 or BF16
    /// (`_keep_in_fp32_modules_strict`, matched as `keepInFP32Modules`).
    var keepInFP32ModulesStrict: [String] { get }
    /// Regular expressions of model keys not reported missing (`_keys_to_ignore_on_load_missing`).
    var ignoreOnLoadMissing: [String] { get }
    /// Regular expressions of checkpoint keys not reported unexpected
    /// (`_keys_to_ignore_on_load_unexpected`, plus the implicit buffer patterns).
    var ignoreOnLoadUnexpected: [String] { get }
    /// Conversions from checkpoint layouts to this class's slots (renames, fused experts).
    var conversions: [WeightConversion] { get }
}

extension Architecture {
    public var isBaseModel: Bool { false }
    public var tiedWeightsKeys: [(target: String, source: String)] { [] }
    public var tiesByDefault: Bool { true }
    public func tiesWeights(_ config: ModelConfig) throws(PretrainedError) -> Bool {
        try config.bool("tie_word_embeddings", default: tiesByDefault)
    }
    public var noSplitModules: [String] { [] }
    public var keepInFP32Modules: [String] { [] }
    public var keepInFP32ModulesStrict: [String] { [] }
    public var ignoreOnLoadMissing: [String] { [] }
    public var ignoreOnLoadUnexpected: [String] { [] }
    public var conversions: [WeightConversion] { [] }
}
