/// CLIP (`CLIPModel`, `CLIPTextModel`, `CLIPVisionModel`, `CLIPTextModelWithProjection`,
/// `CLIPVisionModelWithProjection`): a text and a vision tower read from the composite config's
/// `text_config` / `vision_config` (or from a tower config of their own), with the config classes'
/// defaults. `CLIPTextModel` and `CLIPVisionModel` are the bare towers: a composite checkpoint's
/// `text_model.` / `vision_model.` prefix is removed on load, as `transformers`' `PrefixChange` does.
struct CLIPArchitecture: Architecture {
    enum Variant: String, Sendable, CaseIterable {
        case model = "CLIPModel", text = "CLIPTextModel", vision = "CLIPVisionModel"
        case textWithProjection = "CLIPTextModelWithProjection", visionWithProjection = "CLIPVisionModelWithProjection"
    }

    let variant: Variant
    let noSplitModules = ["CLIPEncoderLayer", "CLIPTextEmbeddings", "CLIPVisionEmbeddings"]
    let ignoreOnLoadUnexpected = [#"(^|\.)position_ids$"#]

    var name: String { variant.rawValue }
    var modelType: String {
        switch variant {
        case .model: return "clip"
        case .text, .textWithProjection: return "clip_text_model"
        case .vision, .visionWithProjection: return "clip_vision_model"
        }
    }
    var baseModelPrefix: String {
        switch variant {
        case .model, .text, .vision: return "clip"
        case .textWithProjection: return "text_model"
        case .visionWithProjection: return "vision_model"
        }
    }
    var isBaseModel: Bool { variant == .model || variant == .text || variant == .vision }
    var conversions: [WeightConversion] {
        switch variant {
        case .text: return [.rename(pattern: #"^text_model\."#, replacement: "")]
        case .vision: return [.rename(pattern: #"^vision_model\."#, replacement: "")]
        case .model, .textWithProjection, .visionWithProjection: return []
        }
    }
    /// Vision-only configs have no word embeddings to tie; none of these classes declares tied keys.
    var tiesByDefault: Bool { false }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let text = { () throws(PretrainedError) -> (Module, Int) in
            try Self.textTower(config.tower("text_config", composite: "clip"))
        }
        let vision = { () throws(PretrainedError) -> (Module, Int) in
            try Self.visionTower(config.tower("vision_config", composite: "clip"))
        }
        switch variant {
        case .text: return try Self.rename(text().0, to: name)
        case .vision: return try Self.rename(vision().0, to: name)
        case .textWithProjection:
            let tower = try config.tower("text_config", composite: "clip")
            let (model, width) = try Self.textTower(tower)
            let projection = try tower.positiveInt("projection_dim", default: 512)
            return Module(name, children: [("text_model", model),
                                           ("text_projection", .linear(in: width, out: projection, bias: false))])
        case .visionWithProjection:
            let tower = try config.tower("vision_config", composite: "clip")
            let (model, width) = try Self.visionTower(tower)
            let projection = try tower.positiveInt("projection_dim", default: 512)
            return Module(name, children: [("vision_model", model),
                                           ("visual_projection", .linear(in: width, out: projection, bias: false))])
        case .model:
            let projection = try config.positiveInt("projection_dim", default: 512)
            let (textModel, textWidth) = try Self.textTower(config.subConfig("text_config"))
            let (visionModel, visionWidth) = try Self.visionTower(config.subConfig("vision_config"))
            return Module(name, entries: [.init("logit_scale", [])], children: [
                ("text_model", textModel), ("vision_model", visionModel),
                ("visual_projection", .linear(in: visionWidth, out: projection, bias: false)),
                ("text_projection", .linear(in: textWidth, out: projection, bias: false)),
            ])
        }
    }

    static func rename(_ module: Module, to className: String) -> Module {
        var renamed = module
        renamed.className = className
        return renamed
    }

    /// `CLIPTextModel` (with `CLIPTextConfig`'s defaults) and its width.
    static func textTower(_ config: ModelConfig) throws(PretrainedError) -> (Module, Int) {
        let tower = try TransformerTower(config, prefix: "CLIP", defaultHidden: 512, defaultIntermediate: 2048, defaultHeads: 8,
                                         defaultActivation: "quick_gelu")
        let vocab = try config.positiveInt("vocab_size", default: 49408)
        let positions = try config.positiveInt("max_position_embeddings", default: 77)
        let embeddings = Module("CLIPTextEmbeddings", entries: [
            .nonPersistentBuffer("position_ids", [1, positions], dtype: .i64),
        ], children: [("token_embedding", .embedding(vocab, tower.hidden)),
                      ("position_embedding", .embedding(positions, tower.hidden))])
        return (Module("CLIPTextModel", children: [("embeddings", embeddings), ("encoder", tower.encoder(layerOrder: .clip)),
                                                   ("final_layer_norm", .layerNorm(tower.hidden))]), tower.hidden)
    }

    /// `CLIPVisionModel` (with `CLIPVisionConfig`'s defaults) and its width.
    static func visionTower(_ config: ModelConfig) throws(PretrainedError) -> (Module, Int) {
        let tower = try TransformerTower(config, prefix: "CLIP", defaultHidden: 768, defaultIntermediate: 3072,
                                         defaultActivation: "quick_gelu")
        let patches = try VisionPatches(config, defaultImage: 224, defaultPatch: 32)
        let embeddings = Module("CLIPVisionEmbeddings", entries: [
            .init("class_embedding", [tower.hidden]),
            .nonPersistentBuffer("position_ids", [1, patches.count + 1], dtype: .i64),
        ], children: [
            ("patch_embedding", .conv2d(in: patches.channels, out: tower.hidden, kernel: patches.patch, bias: false)),
            ("position_embedding", .embedding(patches.count + 1, tower.hidden)),
        ])
        return (Module("CLIPVisionModel", children: [
            ("embeddings", embeddings), ("pre_layrnorm", .layerNorm(tower.hidden)),
            ("encoder", tower.encoder(layerOrder: .clip)), ("post_layernorm", .layerNorm(tower.hidden)),
        ]), tower.hidden)
    }
}

/// The pre-norm encoder CLIP and SigLIP towers share: `k/v/q/out_proj` attention and an
/// `activation_fn`, `fc1`, `fc2` MLP, classes named with the family's prefix.
struct TransformerTower {
    /// The order of a layer's children: CLIP registers `self_attn, layer_norm1, mlp, layer_norm2`,
    /// SigLIP `layer_norm1, self_attn, layer_norm2, mlp`.
    enum LayerOrder { case clip, siglip }

    let prefix: String
    let hidden: Int
    let intermediate: Int
    let layers: Int
    let activation: Module

    init(_ config: ModelConfig, prefix: String, defaultHidden: Int, defaultIntermediate: Int,
         defaultHeads: Int = 12, defaultActivation: String) throws(PretrainedError) {
        self.prefix = prefix
        hidden = try config.positiveInt("hidden_size", default: defaultHidden)
        // CLIPAttention and SiglipAttention refuse a width that does not split into the heads.
        _ = try config.attentionHeads("num_attention_heads", default: defaultHeads, dividing: ("hidden_size", hidden))
        intermediate = try config.positiveInt("intermediate_size", default: defaultIntermediate)
        layers = try config.count("num_hidden_layers", default: 12)
        activation = try Activation.module(config, key: "hidden_act", default: defaultActivation)
    }

    var mlp: Module {
        Module(prefix + "MLP", children: [("activation_fn", activation), ("fc1", .linear(in: hidden, out: intermediate)),
                                          ("fc2", .linear(in: intermediate, out: hidden))])
    }

    func encoder(layerOrder: LayerOrder) -> Module {
        let attention = Module(prefix + "Attention", children: [
            ("k_proj", .linear(in: hidden, out: hidden)), ("v_proj", .linear(in: hidden, out: hidden)),
            ("q_proj", .linear(in: hidden, out: hidden)), ("out_proj", .linear(in: hidden, out: hidden)),
        ])
        let children: [(String, Module)] = switch layerOrder {
        case .clip:
            [("self_attn", attention), ("layer_norm1", .layerNorm(hidden)), ("mlp", mlp), ("layer_norm2", .layerNorm(hidden))]
        case .siglip:
            [("layer_norm1", .layerNorm(hidden)), ("self_attn", attention), ("layer_norm2", .layerNorm(hidden)), ("mlp", mlp)]
        }
        let layer = Module(prefix + "EncoderLayer", children: children)
        return Module(prefix + "Encoder", children: [("layers", .list(Array(repeating: layer, count: layers)))])
    }
}
