/// The parts the mixture-of-experts families share: `transformers` 5's fused expert slots, the
/// router, the sparse-layer rule, the plans that go with them, and the per-expert -> fused
/// conversion of the `qwen2_moe` conversion mapping (which DeepSeek-V3, Qwen3-MoE and Qwen3-Next use too).
enum MixtureOfExperts {
    /// `<Prefix>Experts`: `gate_up_proj [E, 2I, H]`, `down_proj [E, H, I]`, and the activation.
    static func experts(_ className: String, count: Int, hidden: Int, intermediate: Int, activation: Module) -> Module {
        Module(className, entries: [
            .init("gate_up_proj", [count, 2 * intermediate, hidden]),
            .init("down_proj", [count, hidden, intermediate]),
        ], children: [("act_fn", activation)])
    }

    /// `<Prefix>TopKRouter`: `weight [E, H]`.
    static func router(_ className: String, count: Int, hidden: Int) -> Module {
        Module(className, entries: [.init("weight", [count, hidden])])
    }

    /// The expert count under its canonical key or the aliases of the config class's
    /// `attribute_map` (`num_experts` and `num_local_experts` name one attribute).
    static func count(_ config: ModelConfig, keys: [String], default fallback: Int) throws(PretrainedError) -> Int {
        for key in keys where config.has(key) { return try config.count(key, default: fallback) }
        return fallback
    }

    /// Whether layer `index` is sparse, as the Qwen MoE decoder layers decide: not listed in
    /// `mlp_only_layers`, experts configured, and `(index + 1) % decoder_sparse_step == 0`.
    static func isSparse(_ config: ModelConfig, index: Int, experts: Int) throws(PretrainedError) -> Bool {
        let step = try config.positiveInt("decoder_sparse_step", default: 1)
        let dense = config.json["mlp_only_layers"]?.arrayValue?.compactMap(\.intValue) ?? []
        return !dense.contains(index) && experts > 0 && (index + 1) % step == 0
    }

    /// `qwen2_moe` in `transformers` 5.23's conversion mapping: per-expert `gate_proj`/`up_proj`
    /// stacked and concatenated into `gate_up_proj`, `down_proj` stacked.
    static let perExpertConversions: [WeightConversion] = [
        .mergeExperts(sources: ["mlp.experts.*.gate_proj.weight", "mlp.experts.*.up_proj.weight"],
                      target: "mlp.experts.gate_up_proj"),
        .mergeExperts(sources: ["mlp.experts.*.down_proj.weight"], target: "mlp.experts.down_proj"),
    ]

    /// The tp entries of the fused experts.
    static let expertsPlan = [("layers.*.mlp.experts.gate_up_proj", "packed_colwise"),
                              ("layers.*.mlp.experts.down_proj", "rowwise"), ("layers.*.mlp.experts", "moe_tp_experts")]

    /// The ep plan of the fused experts.
    static let expertParallelPlan = [("layers.*.mlp.experts.gate_up_proj", "grouped_gemm"),
                                     ("layers.*.mlp.experts.down_proj", "grouped_gemm"),
                                     ("layers.*.mlp.experts", "ep_dispatch_experts")]
}
