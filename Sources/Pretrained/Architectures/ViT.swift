/// ViT (`ViTModel`, `ViTForImageClassification`) in `transformers` 5's layout (`layers.N` with
/// `attention.q/k/v/o_proj` and `mlp.fc1/fc2`), loading the hub's `encoder.layer.N.attention.attention.query`
/// names through the same renames `transformers` applies, with `ViTConfig`'s defaults.
struct ViTArchitecture: Architecture {
    let isBaseModel: Bool
    let modelType = "vit"
    let baseModelPrefix = "vit"
    let noSplitModules = ["ViTEmbeddings", "ViTLayer"]

    var name: String { isBaseModel ? "ViTModel" : "ViTForImageClassification" }
    /// `transformers`' `ViTModel` conversion mapping, in its order (`attention.output.dense`
    /// before `output.dense`).
    var conversions: [WeightConversion] {
        [.rename(pattern: #"encoder\.layer\."#, replacement: "layers."),
         .rename(pattern: "attention.query", replacement: "q_proj"),
         .rename(pattern: "attention.key", replacement: "k_proj"),
         .rename(pattern: "attention.value", replacement: "v_proj"),
         .rename(pattern: "attention.output.dense", replacement: "attention.o_proj"),
         .rename(pattern: "intermediate.dense", replacement: "mlp.fc1"),
         .rename(pattern: "output.dense", replacement: "mlp.fc2")]
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let hidden = try config.positiveInt("hidden_size", default: 768)
        _ = try config.attentionHeads("num_attention_heads", default: 12, dividing: nil)  // head_dim floors in 5.23
        let layers = try config.count("num_hidden_layers", default: 12)
        let intermediate = try config.positiveInt("intermediate_size", default: 3072)
        let patches = try VisionPatches(config, defaultImage: 224, defaultPatch: 16)
        let qkvBias = try config.bool("qkv_bias", default: true)
        let activation = try Activation.module(config, key: "hidden_act", default: "gelu")

        let embeddings = Module("ViTEmbeddings", entries: [
            .init("cls_token", [1, 1, hidden]), .init("position_embeddings", [1, patches.count + 1, hidden]),
        ], children: [
            ("patch_embeddings", Module("ViTPatchEmbeddings", children: [
                ("projection", .conv2d(in: patches.channels, out: hidden, kernel: patches.patch)),
            ])),
            ("dropout", .dropout),
        ])
        let layer = Module("ViTLayer", children: [
            ("attention", Module("ViTAttention", children: [
                ("q_proj", .linear(in: hidden, out: hidden, bias: qkvBias)),
                ("k_proj", .linear(in: hidden, out: hidden, bias: qkvBias)),
                ("v_proj", .linear(in: hidden, out: hidden, bias: qkvBias)), ("o_proj", .linear(in: hidden, out: hidden)),
            ])),
            ("layernorm_before", .layerNorm(hidden)), ("layernorm_after", .layerNorm(hidden)),
            ("mlp", Module("ViTMLP", children: [("activation_fn", activation),
                                                ("fc1", .linear(in: hidden, out: intermediate)),
                                                ("fc2", .linear(in: intermediate, out: hidden))])),
            ("dropout", .dropout),
        ])
        var base: [(String, Module)] = [("embeddings", embeddings), ("layers", .list(Array(repeating: layer, count: layers))),
                                        ("layernorm", .layerNorm(hidden))]
        if isBaseModel {
            let poolerWidth = try config.positiveInt("pooler_output_size", default: hidden)
            base.append(("pooler", Module("ViTPooler", children: [
                ("dense", .linear(in: hidden, out: poolerWidth)),
                ("activation", try Activation.module(config, key: "pooler_act", default: "tanh")),
            ])))
            return Module(name, children: base)
        }
        let labels = try config.labelCount()
        return Module(name, children: [
            ("vit", Module("ViTModel", children: base)),
            ("classifier", labels > 0 ? .linear(in: hidden, out: labels) : .stateless("Identity")),
        ])
    }
}

/// The patch grid of a vision tower: `image_size / patch_size` squared patches over `num_channels`.
struct VisionPatches {
    let channels: Int
    let patch: Int
    let count: Int

    init(_ config: ModelConfig, defaultImage: Int, defaultPatch: Int) throws(PretrainedError) {
        channels = try config.positiveInt("num_channels", default: 3)
        patch = try config.positiveInt("patch_size", default: defaultPatch)
        let image = try config.positiveInt("image_size", default: defaultImage)
        count = (image / patch) * (image / patch)
    }
}
