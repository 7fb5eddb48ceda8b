/// The Llama family: Llama, Mistral, Qwen2 (q/k/v biases), Qwen3 (q/k norms), and the families
/// built the same way with other norms, embeddings or feed-forward blocks (Gemma, Gemma 2, Gemma 3,
/// OLMo 2, Granite, SmolLM3, Mixtral, Qwen2-MoE, Qwen3-MoE: see their files), each as a base model
/// and a causal LM (the first four also as a sequence classifier), with their config classes' defaults.
struct LlamaFamilyArchitecture: DecoderClass {
    /// What distinguishes the members of the family.
    struct Variant: Sendable {
        var prefix: String
        var modelType: String
        var defaults: Defaults
        /// The base model's class when it is not `<prefix>Model` (`Gemma3TextModel`).
        var baseClass: String?
        /// The default of `tie_word_embeddings`.
        var tiesByDefault = false
        /// The config key of the MLP activation and its default.
        var activation = (key: "hidden_act", fallback: "silu")
        /// q/k/v projections carry a bias regardless of `attention_bias` (Qwen2).
        var qkvBias = false
        /// RMS norms on queries and keys: per head (Qwen3, Gemma 3) or over all heads (OLMo 2).
        var qkNorm = QKNorm.none
        /// The decoder layer's norms after its MLP, in registration order.
        var norms = ["input_layernorm", "post_attention_layernorm"]
        /// `<Prefix>TextScaledWordEmbedding`: the embedding with a non-persistent `embed_scale` (Gemma).
        var scaledEmbedding = false
        /// The rotary embedding's buffers, per layer type (Gemma 3) or plain.
        var rotary = RotaryBuffers.plain
        /// The base model's tp plan when it is not the Llama one (OLMo 2).
        var tensorParallelPlan: [(String, String)]?
        /// Activation names the config class rewrites (`GemmaConfig`: `gelu` means the tanh approximation).
        var activationAliases: [String: String] = [:]
        /// Classes this variant ships.
        var heads: [DecoderHead] = [.base, .causalLM]
        /// q/k/v biases read from this key (default on) instead of `attention_bias` (Qwen2-MoE's `qkv_bias`).
        var qkvBiasKey: String?
        /// The feed-forward block of a layer when it is not the gated MLP of `intermediate_size`
        /// (mixtures of experts): `nil` from the closure keeps the gated MLP for that layer.
        var feedForward: FeedForward?
        /// The base model's ep plan.
        var expertParallelPlan: [(String, String)] = []
        /// Conversions from other checkpoint layouts (per-expert keys).
        var conversions: [WeightConversion] = []
    }

    enum QKNorm: Sendable { case none, perHead, allHeads }

    /// The feed-forward block of layer `index`, or `nil` for the gated MLP.
    typealias FeedForward = @Sendable (_ config: ModelConfig, _ shape: DecoderShape, _ index: Int,
                                       _ activation: Module) throws(PretrainedError) -> Module?

    enum RotaryBuffers: Sendable {
        case plain
        /// `<layer_type>_inv_freq` / `<layer_type>_original_inv_freq` for each distinct entry of
        /// `layer_types` (sorted), as `Gemma3RotaryEmbedding`; layer types default to
        /// `sliding_window_pattern` (every `pattern`-th layer full attention).
        case perLayerType(defaultPattern: Int)
    }

    /// The config class's defaults.
    struct Defaults: Sendable {
        var vocab: Int
        var hidden: Int
        var intermediate: Int
        var layers: Int
        var heads: Int
        /// `nil`: as many key/value heads as attention heads.
        var keyValueHeads: Int?
        /// `nil`: `hidden / heads`.
        var headDim: Int?
    }

    static let llama = Variant(prefix: "Llama", modelType: "llama", defaults: Defaults(
        vocab: 32000, hidden: 4096, intermediate: 11008, layers: 32, heads: 32, keyValueHeads: nil, headDim: nil),
        heads: DecoderHead.allCases)
    static let mistral = Variant(prefix: "Mistral", modelType: "mistral", defaults: Defaults(
        vocab: 32000, hidden: 4096, intermediate: 14336, layers: 32, heads: 32, keyValueHeads: 8, headDim: nil),
        heads: DecoderHead.allCases)
    static let qwen2 = Variant(prefix: "Qwen2", modelType: "qwen2", defaults: Defaults(
        vocab: 151936, hidden: 4096, intermediate: 22016, layers: 32, heads: 32, keyValueHeads: 32, headDim: nil),
        qkvBias: true, heads: DecoderHead.allCases)
    static let qwen3 = Variant(prefix: "Qwen3", modelType: "qwen3", defaults: Defaults(
        vocab: 151936, hidden: 4096, intermediate: 22016, layers: 32, heads: 32, keyValueHeads: 32, headDim: 128),
        qkNorm: .perHead, heads: DecoderHead.allCases)

    /// Every variant, in registration order.
    static let variants = [llama, mistral, qwen2, qwen3, gemma, gemma2, gemma3, olmo2, granite, smolLM3, mixtral,
                           qwen2Moe, qwen3Moe]

    let variant: Variant
    let head: DecoderHead
    let baseModelPrefix = "model"

    init(variant: Variant, head: DecoderHead) {
        self.variant = variant
        self.head = head
    }

    var prefix: String { variant.prefix }
    var baseClass: String { variant.baseClass ?? variant.prefix + "Model" }
    var modelType: String { variant.modelType }
    var tiesByDefault: Bool { variant.tiesByDefault }
    var noSplitModules: [String] { [variant.prefix + "DecoderLayer"] }
    var ignoreOnLoadUnexpected: [String] { [#"rotary_emb\.inv_freq"#] }
    var conversions: [WeightConversion] { variant.conversions }

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: variant.defaults)
        let attentionBias = try config.bool("attention_bias", default: false)
        let qkvBias = try variant.qkvBiasKey.map { key throws(PretrainedError) in try config.bool(key, default: true) }
            ?? (attentionBias || variant.qkvBias)
        let mlpBias = try config.bool("mlp_bias", default: false)
        let activation = try activation(config)
        var layers: [Module] = []
        for index in 0..<shape.layers {
            let mlp = try variant.feedForward?(config, shape, index, activation)
                ?? DecoderStack.gatedMLP(variant.prefix + "MLP", hidden: shape.hidden, intermediate: shape.intermediate,
                                         bias: mlpBias, activation: activation)
            layers.append(decoderLayer(shape, qkvBias: qkvBias, outputBias: attentionBias, mlp: mlp))
        }
        let norm = variant.prefix + "RMSNorm"
        let embedding: Module = variant.scaledEmbedding
            ? Module(variant.prefix + "TextScaledWordEmbedding", entries: [
                .init("weight", [shape.vocab, shape.hidden]), .nonPersistentBuffer("embed_scale", [], dtype: nil)])
            : .embedding(shape.vocab, shape.hidden)
        let base = DecoderStack.base(className: baseClass, shape: shape, layers: layers, norm: norm,
                                     rotary: try rotaryEmbedding(config, shape: shape),
                                     tp: variant.tensorParallelPlan ?? tensorParallelPlan, ep: variant.expertParallelPlan,
                                     embedding: embedding)
        return (base, shape)
    }

    func activation(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let name = try config.string(variant.activation.key, default: variant.activation.fallback)
        return Activation.module(variant.activationAliases[name] ?? name)
    }

    func rotaryEmbedding(_ config: ModelConfig, shape: DecoderShape) throws(PretrainedError) -> Module {
        guard case .perLayerType(let pattern) = variant.rotary else {
            return try DecoderStack.rotaryEmbedding(variant.prefix, config, shape: shape)
        }
        var types: [String] = []
        if let declared = config.json["layer_types"]?.arrayValue {
            types = declared.compactMap(\.stringValue)
        } else {
            let every = try config.positiveInt("sliding_window_pattern", default: pattern)
            types = (0..<shape.layers).map { ($0 + 1) % every == 0 ? "full_attention" : "sliding_attention" }
        }
        let frequencies = (shape.headDim + 1) / 2
        return Module(variant.prefix + "RotaryEmbedding", entries: Set(types).sorted().flatMap { type in
            [Module.Entry.nonPersistentBuffer(type + "_inv_freq", [frequencies], dtype: .f32),
             .nonPersistentBuffer(type + "_original_inv_freq", [frequencies], dtype: .f32)]
        })
    }

    var tensorParallelPlan: [(String, String)] {
        DecoderStack.attentionPlan(qkNorm: variant.qkNorm != .none) + DecoderStack.mlpPlan
    }

    func decoderLayer(_ shape: DecoderShape, qkvBias: Bool, outputBias: Bool, mlp: Module) -> Module {
        var attention: [(String, Module)] = [
            ("q_proj", .linear(in: shape.hidden, out: shape.heads * shape.headDim, bias: qkvBias)),
            ("k_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: qkvBias)),
            ("v_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: qkvBias)),
            ("o_proj", .linear(in: shape.heads * shape.headDim, out: shape.hidden, bias: outputBias)),
        ]
        switch variant.qkNorm {
        case .none: break
        case .perHead:
            attention += [("q_norm", .rmsNorm(variant.prefix + "RMSNorm", shape.headDim)),
                          ("k_norm", .rmsNorm(variant.prefix + "RMSNorm", shape.headDim))]
        case .allHeads:
            attention += [("q_norm", .rmsNorm(variant.prefix + "RMSNorm", shape.heads * shape.headDim)),
                          ("k_norm", .rmsNorm(variant.prefix + "RMSNorm", shape.keyValueHeads * shape.headDim))]
        }
        return Module(variant.prefix + "DecoderLayer", children: [
            ("self_attn", Module(variant.prefix + "Attention", children: attention)),
            ("mlp", mlp),
        ] + variant.norms.map { ($0, .rmsNorm(variant.prefix + "RMSNorm", shape.hidden)) })
    }
}

/// The sizes of a decoder-only transformer, read from its config.
struct DecoderShape: Sendable {
    var vocab: Int
    var hidden: Int
    var intermediate: Int
    var layers: Int
    var heads: Int
    var keyValueHeads: Int
    var headDim: Int

    init(_ config: ModelConfig, defaults: LlamaFamilyArchitecture.Defaults) throws(PretrainedError) {
        vocab = try config.positiveInt("vocab_size", default: defaults.vocab)
        hidden = try config.positiveInt("hidden_size", default: defaults.hidden)
        intermediate = try config.positiveInt("intermediate_size", default: defaults.intermediate)
        layers = try config.count("num_hidden_layers", default: defaults.layers)
        heads = try config.attentionHeads("num_attention_heads", default: defaults.heads, dividing: nil)
        keyValueHeads = try config.attentionHeads("num_key_value_heads", default: defaults.keyValueHeads ?? heads, dividing: nil)
        headDim = try config.positiveInt("head_dim", default: defaults.headDim ?? hidden / heads)
    }
}

/// The parts every decoder-only family shares: the base model around its layers, and the causal
/// LM head around the base model, with `transformers`' plans.
enum DecoderStack {
    static func base(className: String, shape: DecoderShape, layer: Module, norm: String, rotary: Module,
                     tp: [(String, String)], ep: [(String, String)] = [], embedding: Module? = nil,
                     finalNorm: Module? = nil) -> Module {
        base(className: className, shape: shape, layers: Array(repeating: layer, count: shape.layers), norm: norm,
             rotary: rotary, tp: tp, ep: ep, embedding: embedding, finalNorm: finalNorm)
    }

    /// The base model around `layers` (one module per layer, for families whose layers differ).
    static func base(className: String, shape: DecoderShape, layers: [Module], norm: String, rotary: Module,
                     tp: [(String, String)], ep: [(String, String)] = [], embedding: Module? = nil,
                     finalNorm: Module? = nil) -> Module {
        // post_init prepends `embed_tokens` to a non-empty tp plan when it is an `nn.Embedding`.
        let plans = ParallelPlans(
            tp: tp.isEmpty ? [] : [("embed_tokens", "embedding_rowwise")] + tp,
            pp: [("embed_tokens", ["input_ids"], ["inputs_embeds"]),
                 ("layers", ["hidden_states", "attention_mask"], ["hidden_states"]),
                 ("norm", ["hidden_states"], ["hidden_states"])],
            ep: ep)
        return Module(className, children: [
            ("embed_tokens", embedding ?? .embedding(shape.vocab, shape.hidden)),
            ("layers", .list(layers)),
            ("norm", finalNorm ?? .rmsNorm(norm, shape.hidden)),
            ("rotary_emb", rotary),
        ], plans: plans)
    }

    /// `<Prefix>RotaryEmbedding`: the non-persistent F32 buffers `inv_freq` and
    /// `original_inv_freq`, one frequency per pair of rotary dimensions. The rotary dimension is
    /// the head dimension for the default RoPE and `head_dim * partial_rotary_factor` for the
    /// scaled types (`linear`, `dynamic`, `yarn`, `longrope`, `llama3`), as
    /// `transformers.modeling_rope_utils` computes it.
    static func rotaryEmbedding(_ prefix: String, _ config: ModelConfig, shape: DecoderShape,
                                partialFactor: (keys: [String], fallback: Double)? = nil) throws(PretrainedError) -> Module {
        var dimension = shape.headDim
        let parameters = (config.json["rope_parameters"] ?? config.json["rope_scaling"]).flatMap { $0.isNull ? nil : $0 }
        let type = parameters?["rope_type"]?.stringValue ?? parameters?["type"]?.stringValue ?? "default"
        // Families whose own default RoPE is partial (Phi, GPT-NeoX) read their legacy keys too.
        if type != "default" || partialFactor != nil {
            var factor = parameters?["partial_rotary_factor"]?.doubleValue
            for key in ["partial_rotary_factor"] + (partialFactor?.keys ?? []) where factor == nil {
                factor = config.json[key]?.doubleValue
            }
            let value = factor ?? partialFactor?.fallback ?? 1
            guard value.isFinite, value > 0, value <= 1 else {
                throw .invalidConfig(file: config.file, reason: "'partial_rotary_factor' must be in (0, 1], not \(value)")
            }
            dimension = Int(Double(shape.headDim) * value)
        }
        let frequencies = (dimension + 1) / 2
        return Module(prefix + "RotaryEmbedding", entries: [
            .nonPersistentBuffer("inv_freq", [frequencies], dtype: .f32),
            .nonPersistentBuffer("original_inv_freq", [frequencies], dtype: .f32),
        ])
    }

    /// The q/k/v/o tp entries of the Llama attention (with its q/k norms when it has them).
    static func attentionPlan(qkNorm: Bool) -> [(String, String)] {
        [("layers.*.self_attn.q_proj", "colwise"), ("layers.*.self_attn.k_proj", "colwise"),
         ("layers.*.self_attn.v_proj", "colwise")]
            + (qkNorm ? [("layers.*.self_attn.q_norm", "replicated_with_grad_allreduce"),
                         ("layers.*.self_attn.k_norm", "replicated_with_grad_allreduce")] : [])
            + [("layers.*.self_attn.o_proj", "rowwise")]
    }

    /// The tp entries of the gated MLP.
    static let mlpPlan = [("layers.*.mlp.gate_proj", "colwise"), ("layers.*.mlp.up_proj", "colwise"),
                          ("layers.*.mlp.down_proj", "rowwise")]

    /// The gated MLP (`LlamaMLP`): `gate_proj`, `up_proj`, `down_proj`, `act_fn`.
    static func gatedMLP(_ className: String, hidden: Int, intermediate: Int, bias: Bool = false, activation: Module) -> Module {
        Module(className, children: [
            ("gate_proj", .linear(in: hidden, out: intermediate, bias: bias)),
            ("up_proj", .linear(in: hidden, out: intermediate, bias: bias)),
            ("down_proj", .linear(in: intermediate, out: hidden, bias: bias)),
            ("act_fn", activation),
        ])
    }
}
