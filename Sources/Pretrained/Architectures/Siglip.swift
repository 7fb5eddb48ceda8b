/// SigLIP (`SiglipModel`, `SiglipVisionModel`, `SiglipTextModel`): CLIP-like towers with
/// pre-norm layers, a text `head`, the vision attention-pooling head (`vision_use_head`), and
/// `logit_scale` / `logit_bias`, read from `text_config` / `vision_config` with the config
/// classes' defaults.
struct SiglipArchitecture: Architecture {
    enum Variant: String, Sendable, CaseIterable {
        case model = "SiglipModel", vision = "SiglipVisionModel", text = "SiglipTextModel"
    }

    let variant: Variant
    let noSplitModules = ["SiglipEncoderLayer", "SiglipMultiheadAttentionPoolingHead", "SiglipTextEmbeddings",
                          "SiglipVisionEmbeddings"]
    let ignoreOnLoadUnexpected = [#"(^|\.)position_ids$"#]

    var name: String { variant.rawValue }
    var modelType: String {
        switch variant {
        case .model: return "siglip"
        case .vision: return "siglip_vision_model"
        case .text: return "siglip_text_model"
        }
    }
    var baseModelPrefix: String {
        switch variant {
        case .model: return "siglip"
        case .vision: return "vision_model"
        case .text: return "text_model"
        }
    }
    var isBaseModel: Bool { true }
    var tiesByDefault: Bool { false }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        switch variant {
        case .text: return try Self.textTower(config.tower("text_config", composite: "siglip"))
        case .vision: return try Self.visionTower(config.tower("vision_config", composite: "siglip"))
        case .model:
            return Module(name, entries: [.init("logit_scale", [1]), .init("logit_bias", [1])], children: [
                ("text_model", try Self.textTower(config.subConfig("text_config"))),
                ("vision_model", try Self.visionTower(config.subConfig("vision_config"))),
            ])
        }
    }

    static func tower(_ config: ModelConfig) throws(PretrainedError) -> TransformerTower {
        try TransformerTower(config, prefix: "Siglip", defaultHidden: 768, defaultIntermediate: 3072,
                             defaultActivation: "gelu_pytorch_tanh")
    }

    static func textTower(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let tower = try tower(config)
        let vocab = try config.positiveInt("vocab_size", default: 32000)
        let positions = try config.positiveInt("max_position_embeddings", default: 64)
        let projection = try config.positiveInt("projection_size", default: tower.hidden)
        let embeddings = Module("SiglipTextEmbeddings", entries: [
            .nonPersistentBuffer("position_ids", [1, positions], dtype: .i64),
        ], children: [("token_embedding", .embedding(vocab, tower.hidden)),
                      ("position_embedding", .embedding(positions, tower.hidden))])
        return Module("SiglipTextModel", children: [
            ("embeddings", embeddings), ("encoder", tower.encoder(layerOrder: .siglip)),
            ("final_layer_norm", .layerNorm(tower.hidden)), ("head", .linear(in: tower.hidden, out: projection)),
        ])
    }

    static func visionTower(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let tower = try tower(config)
        let hidden = tower.hidden
        let patches = try VisionPatches(config, defaultImage: 224, defaultPatch: 16)
        let embeddings = Module("SiglipVisionEmbeddings", entries: [
            .nonPersistentBuffer("position_ids", [1, patches.count], dtype: .i64),
        ], children: [
            ("patch_embedding", .conv2d(in: patches.channels, out: hidden, kernel: patches.patch)),
            ("position_embedding", .embedding(patches.count, hidden)),
        ])
        var children: [(String, Module)] = [("embeddings", embeddings), ("encoder", tower.encoder(layerOrder: .siglip)),
                                            ("post_layernorm", .layerNorm(hidden))]
        if try config.bool("vision_use_head", default: true) {
            var outProjection = Module.linear(in: hidden, out: hidden)
            outProjection.className = "NonDynamicallyQuantizableLinear"
            let probe = Module.Entry("probe", [1, 1, hidden])
            children.append(("head", Module("SiglipMultiheadAttentionPoolingHead", entries: [probe], children: [
                ("attention", Module("MultiheadAttention", entries: [.init("in_proj_weight", [3 * hidden, hidden]),
                                                                      .init("in_proj_bias", [3 * hidden])],
                                     children: [("out_proj", outProjection)])),
                ("layernorm", .layerNorm(hidden)), ("mlp", tower.mlp),
            ])))
        }
        return Module("SiglipVisionModel", children: children)
    }
}
