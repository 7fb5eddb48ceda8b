/// The Llama family: Llama, Mistral, Qwen2 (q/k/v biases), Qwen3 (q/k norms), each as a base
/// model and a causal LM, with their config classes' defaults.
struct LlamaFamilyArchitecture: Architecture {
    /// What distinguishes the members of the family.
    struct Variant: Sendable {
        var prefix: String
        var modelType: String
        var defaults: Defaults
        /// q/k/v projections carry a bias regardless of `attention_bias` (Qwen2).
        var qkvBias = false
        /// Per-head RMS norms on queries and keys after the output projection (Qwen3).
        var qkNorm = false
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
        vocab: 32000, hidden: 4096, intermediate: 11008, layers: 32, heads: 32, keyValueHeads: nil, headDim: nil))
    static let mistral = Variant(prefix: "Mistral", modelType: "mistral", defaults: Defaults(
        vocab: 32000, hidden: 4096, intermediate: 14336, layers: 32, heads: 32, keyValueHeads: 8, headDim: nil))
    static let qwen2 = Variant(prefix: "Qwen2", modelType: "qwen2", defaults: Defaults(
        vocab: 151936, hidden: 4096, intermediate: 22016, layers: 32, heads: 32, keyValueHeads: 32, headDim: nil),
        qkvBias: true)
    static let qwen3 = Variant(prefix: "Qwen3", modelType: "qwen3", defaults: Defaults(
        vocab: 151936, hidden: 4096, intermediate: 22016, layers: 32, heads: 32, keyValueHeads: 32, headDim: 128),
        qkNorm: true)

    let variant: Variant
    let isBaseModel: Bool
    let baseModelPrefix = "model"
    let tiesByDefault = false

    var name: String { variant.prefix + (isBaseModel ? "Model" : "ForCausalLM") }
    var modelType: String { variant.modelType }
    var noSplitModules: [String] { [variant.prefix + "DecoderLayer"] }
    var ignoreOnLoadUnexpected: [String] { [#"rotary_emb\.inv_freq"#] }
    var tiedWeightsKeys: [(target: String, source: String)] {
        isBaseModel ? [] : [("lm_head.weight", "model.embed_tokens.weight")]
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let shape = try DecoderShape(config, defaults: variant.defaults)
        let layer = decoderLayer(shape, attentionBias: try config.bool("attention_bias", default: false),
                                 mlpBias: try config.bool("mlp_bias", default: false),
                                 activation: try Activation.module(config, key: "hidden_act", default: "silu"))
        let base = DecoderStack.base(className: variant.prefix + "Model", shape: shape, layer: layer,
                                     norm: variant.prefix + "RMSNorm",
                                     rotary: try DecoderStack.rotaryEmbedding(variant.prefix, config, shape: shape),
                                     tp: tensorParallelPlan)
        return isBaseModel ? base : DecoderStack.causalLM(className: name, base: base, shape: shape)
    }

    var tensorParallelPlan: [(String, String)] {
        var plan = [("layers.*.self_attn.q_proj", "colwise"), ("layers.*.self_attn.k_proj", "colwise"),
                    ("layers.*.self_attn.v_proj", "colwise")]
        if variant.qkNorm {
            plan += [("layers.*.self_attn.q_norm", "replicated_with_grad_allreduce"),
                     ("layers.*.self_attn.k_norm", "replicated_with_grad_allreduce")]
        }
        return plan + [("layers.*.self_attn.o_proj", "rowwise"), ("layers.*.mlp.gate_proj", "colwise"),
                       ("layers.*.mlp.up_proj", "colwise"), ("layers.*.mlp.down_proj", "rowwise")]
    }

    func decoderLayer(_ shape: DecoderShape, attentionBias: Bool, mlpBias: Bool, activation: Module) -> Module {
        let qkvBias = attentionBias || variant.qkvBias
        var attention: [(String, Module)] = [
            ("q_proj", .linear(in: shape.hidden, out: shape.heads * shape.headDim, bias: qkvBias)),
            ("k_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: qkvBias)),
            ("v_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: qkvBias)),
            ("o_proj", .linear(in: shape.heads * shape.headDim, out: shape.hidden, bias: attentionBias)),
        ]
        if variant.qkNorm {
            attention += [("q_norm", .rmsNorm(variant.prefix + "RMSNorm", shape.headDim)),
                          ("k_norm", .rmsNorm(variant.prefix + "RMSNorm", shape.headDim))]
        }
        let mlp = Module(variant.prefix + "MLP", children: [
            ("gate_proj", .linear(in: shape.hidden, out: shape.intermediate, bias: mlpBias)),
            ("up_proj", .linear(in: shape.hidden, out: shape.intermediate, bias: mlpBias)),
            ("down_proj", .linear(in: shape.intermediate, out: shape.hidden, bias: mlpBias)),
            ("act_fn", activation),
        ])
        return Module(variant.prefix + "DecoderLayer", children: [
            ("self_attn", Module(variant.prefix + "Attention", children: attention)),
            ("mlp", mlp),
            ("input_layernorm", .rmsNorm(variant.prefix + "RMSNorm", shape.hidden)),
            ("post_attention_layernorm", .rmsNorm(variant.prefix + "RMSNorm", shape.hidden)),
        ])
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
                     tp: [(String, String)], ep: [(String, String)] = []) -> Module {
        // post_init prepends `embed_tokens` to a non-empty tp plan when it is an `nn.Embedding`.
        let plans = ParallelPlans(
            tp: [("embed_tokens", "embedding_rowwise")] + tp,
            pp: [("embed_tokens", ["input_ids"], ["inputs_embeds"]),
                 ("layers", ["hidden_states", "attention_mask"], ["hidden_states"]),
                 ("norm", ["hidden_states"], ["hidden_states"])],
            ep: ep)
        return Module(className, children: [
            ("embed_tokens", .embedding(shape.vocab, shape.hidden)),
            ("layers", .list(Array(repeating: layer, count: shape.layers))),
            ("norm", .rmsNorm(norm, shape.hidden)),
            ("rotary_emb", rotary),
        ], plans: plans)
    }

    /// `<Prefix>RotaryEmbedding`: the non-persistent F32 buffers `inv_freq` and
    /// `original_inv_freq`, one frequency per pair of rotary dimensions. The rotary dimension is
    /// the head dimension for the default RoPE and `head_dim * partial_rotary_factor` for the
    /// scaled types (`linear`, `dynamic`, `yarn`, `longrope`, `llama3`), as
    /// `transformers.modeling_rope_utils` computes it.
    static func rotaryEmbedding(_ prefix: String, _ config: ModelConfig, shape: DecoderShape) throws(PretrainedError) -> Module {
        var dimension = shape.headDim
        if let parameters = config.json["rope_parameters"] ?? config.json["rope_scaling"], !parameters.isNull {
            let type = parameters["rope_type"]?.stringValue ?? parameters["type"]?.stringValue ?? "default"
            let factor = parameters["partial_rotary_factor"]?.doubleValue
                ?? config.json["partial_rotary_factor"]?.doubleValue ?? 1
            if type != "default" {
                guard factor.isFinite, factor > 0, factor <= 1 else {
                    throw .invalidConfig(file: config.file, reason: "'partial_rotary_factor' must be in (0, 1], not \(factor)")
                }
                dimension = Int(Double(shape.headDim) * factor)
            }
        }
        let frequencies = (dimension + 1) / 2
        return Module(prefix + "RotaryEmbedding", entries: [
            .nonPersistentBuffer("inv_freq", [frequencies], dtype: .f32),
            .nonPersistentBuffer("original_inv_freq", [frequencies], dtype: .f32),
        ])
    }

    static func causalLM(className: String, base: Module, shape: DecoderShape) -> Module {
        Module(className, children: [("model", base), ("lm_head", .linear(in: shape.hidden, out: shape.vocab, bias: false))],
               plans: ParallelPlans(tp: [("lm_head", "colwise_gather_output")],
                                    pp: [("lm_head", ["hidden_states"], ["logits"])]))
    }
}
