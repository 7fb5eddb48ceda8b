/// Qwen3-Next (`Qwen3NextModel`, `Qwen3NextForCausalLM`): a hybrid of gated DeltaNet
/// linear-attention layers (`linear_attn`: `conv1d`, `in_proj_qkvz`, `in_proj_ba`, `dt_bias`,
/// `A_log`, a gated RMS norm) and, every `full_attention_interval`-th layer (or as `layer_types`
/// says), gated full attention (`q_proj` twice as wide, per-head q/k norms); each layer ends in
/// Qwen2-MoE's sparse block with a shared expert. The multi-token prediction weights of hub
/// checkpoints (`mtp.*`) are ignored, as `transformers` ignores them.
struct Qwen3NextArchitecture: DecoderClass {
    static let defaults = LlamaFamilyArchitecture.Defaults(
        vocab: 151936, hidden: 2048, intermediate: 5632, layers: 48, heads: 16, keyValueHeads: 2, headDim: 256)

    let head: DecoderHead
    let prefix = "Qwen3Next"
    let modelType = "qwen3_next"
    let baseModelPrefix = "model"
    let tiesByDefault = false
    let noSplitModules = ["Qwen3NextDecoderLayer"]
    let ignoreOnLoadUnexpected = ["^mtp.*", #"rotary_emb\.inv_freq"#]
    let conversions = MixtureOfExperts.perExpertConversions

    func base(_ config: ModelConfig) throws(PretrainedError) -> (module: Module, shape: DecoderShape) {
        let shape = try DecoderShape(config, defaults: Self.defaults)
        let activation = try Activation.module(config, key: "hidden_act", default: "silu")
        let types = try Self.layerTypes(config, layers: shape.layers)
        let linear = try Self.linearAttention(config, hidden: shape.hidden)
        let full = try Self.fullAttention(config, shape: shape)
        let experts = try MixtureOfExperts.count(config, keys: ["num_experts"], default: 512)
        var layers: [Module] = []
        for index in 0..<shape.layers {
            let mlp: Module
            if try MixtureOfExperts.isSparse(config, index: index, experts: experts) {
                mlp = Module("Qwen3NextSparseMoeBlock", children: [
                    ("gate", MixtureOfExperts.router("Qwen3NextTopKRouter", count: experts, hidden: shape.hidden)),
                    ("experts", MixtureOfExperts.experts(
                        "Qwen3NextExperts", count: experts, hidden: shape.hidden,
                        intermediate: try config.positiveInt("moe_intermediate_size", default: 512), activation: activation)),
                    ("shared_expert", DecoderStack.gatedMLP(
                        "Qwen3NextMLP", hidden: shape.hidden,
                        intermediate: try config.positiveInt("shared_expert_intermediate_size", default: 512),
                        activation: activation)),
                    ("shared_expert_gate", .linear(in: shape.hidden, out: 1, bias: false)),
                ])
            } else {
                mlp = DecoderStack.gatedMLP("Qwen3NextMLP", hidden: shape.hidden, intermediate: shape.intermediate,
                                            activation: activation)
            }
            let attention = types[index] == "linear_attention" ? ("linear_attn", linear) : ("self_attn", full)
            layers.append(Module("Qwen3NextDecoderLayer", children: [
                attention, ("mlp", mlp),
                ("input_layernorm", .rmsNorm("Qwen3NextRMSNorm", shape.hidden)),
                ("post_attention_layernorm", .rmsNorm("Qwen3NextRMSNorm", shape.hidden)),
            ]))
        }
        let module = DecoderStack.base(
            className: "Qwen3NextModel", shape: shape, layers: layers, norm: "Qwen3NextRMSNorm",
            rotary: try DecoderStack.rotaryEmbedding("Qwen3Next", config, shape: shape, partialFactor: ([], 0.25)),
            tp: DecoderStack.attentionPlan(qkNorm: true)
                + [MixtureOfExperts.expertsPlan[0], MixtureOfExperts.expertsPlan[1],
                   ("layers.*.mlp.shared_expert.gate_proj", "colwise"), ("layers.*.mlp.shared_expert.up_proj", "colwise"),
                   ("layers.*.mlp.shared_expert.down_proj", "rowwise"), MixtureOfExperts.expertsPlan[2]]
                + DecoderStack.mlpPlan
                + [("layers.*.linear_attn.in_proj_qkvz", "colwise_gather_output"),
                   ("layers.*.linear_attn.in_proj_ba", "colwise_gather_output"),
                   ("layers.*.linear_attn.out_proj", "colwise_gather_output")],
            ep: MixtureOfExperts.expertParallelPlan)
        return (module, shape)
    }

    /// `layer_types`, else linear attention except every `full_attention_interval`-th layer.
    static func layerTypes(_ config: ModelConfig, layers: Int) throws(PretrainedError) -> [String] {
        if let declared = config.json["layer_types"]?.arrayValue {
            let types = declared.compactMap(\.stringValue)
            guard types.count == layers else {
                throw .invalidConfig(file: config.file, reason: "'layer_types' has \(types.count) entries for \(layers) layers")
            }
            return types
        }
        let interval = try config.positiveInt("full_attention_interval", default: 4)
        return (0..<layers).map { ($0 + 1) % interval == 0 ? "full_attention" : "linear_attention" }
    }

    /// `Qwen3NextGatedDeltaNet`.
    static func linearAttention(_ config: ModelConfig, hidden: Int) throws(PretrainedError) -> Module {
        let valueHeads = try config.positiveInt("linear_num_value_heads", default: 32)
        let keyHeads = try config.positiveInt("linear_num_key_heads", default: 16)
        let keyHeadDim = try config.positiveInt("linear_key_head_dim", default: 128)
        let valueHeadDim = try config.positiveInt("linear_value_head_dim", default: 128)
        let valueDim = valueHeads * valueHeadDim
        let kernel = try config.positiveInt("linear_conv_kernel_dim", default: 4)
        let convolution = try config.dimension("conv1d", [[2, keyHeads, keyHeadDim], [valueHeads, valueHeadDim]])
        let queryKeyValueGate = try config.dimension("in_proj_qkvz", [[2, keyHeads, keyHeadDim], [2, valueHeads, valueHeadDim]])
        return Module("Qwen3NextGatedDeltaNet", entries: [.init("dt_bias", [valueHeads]), .init("A_log", [valueHeads])],
                      children: [
                          ("conv1d", Module("Conv1d", entries: [.init("weight", [convolution, 1, kernel])])),
                          ("in_proj_qkvz", .linear(in: hidden, out: queryKeyValueGate, bias: false)),
                          ("in_proj_ba", .linear(in: hidden, out: valueHeads * 2, bias: false)),
                          ("norm", .rmsNorm("Qwen3NextRMSNormGated", valueHeadDim)),
                          ("out_proj", .linear(in: valueDim, out: hidden, bias: false)),
                      ])
    }

    /// `Qwen3NextAttention`: queries and their output gate from one projection.
    static func fullAttention(_ config: ModelConfig, shape: DecoderShape) throws(PretrainedError) -> Module {
        let bias = try config.bool("attention_bias", default: false)
        let query = try config.dimension("q_proj", [[shape.heads, shape.headDim, 2]])
        return Module("Qwen3NextAttention", children: [
            ("q_proj", .linear(in: shape.hidden, out: query, bias: bias)),
            ("k_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: bias)),
            ("v_proj", .linear(in: shape.hidden, out: shape.keyValueHeads * shape.headDim, bias: bias)),
            ("o_proj", .linear(in: shape.heads * shape.headDim, out: shape.hidden, bias: bias)),
            ("q_norm", .rmsNorm("Qwen3NextRMSNorm", shape.headDim)),
            ("k_norm", .rmsNorm("Qwen3NextRMSNorm", shape.headDim)),
        ])
    }
}
