/// Config fields several families read the same way.
extension ModelConfig {
    /// The number of labels of a classification head, as `PreTrainedConfig` derives it: the size of
    /// `id2label` when the config has one, else `num_labels`, else 2 (0 is allowed: ViT then has no
    /// classifier).
    func labelCount() throws(PretrainedError) -> Int {
        if let labels = json["id2label"], labels != .null {
            guard let members = labels.objectValue else {
                throw .invalidConfig(file: file, reason: "'id2label' is not an object")
            }
            return members.count
        }
        return try int("num_labels", default: 2)
    }

    /// The first of `keys` the config has, or `default`. For a field with `attribute_map`
    /// aliases, list the alias first (`["hidden_size", "dim"]`): when config.json has both, the
    /// alias is set last and wins, as in `transformers`.
    func positiveInt(anyOf keys: [String], default fallback: Int) throws(PretrainedError) -> Int {
        try positiveInt(keys.first(where: has) ?? keys[0], default: fallback)
    }

    /// `count(_:default:)` over the first of `keys` the config has.
    func count(anyOf keys: [String], default fallback: Int) throws(PretrainedError) -> Int {
        try count(keys.first(where: has) ?? keys[0], default: fallback)
    }

    /// The config of one tower of a composite model, as a tower's config class reads it
    /// (`CLIPVisionConfig.from_pretrained` on a CLIP checkpoint): the nested `key` object
    /// (`vision_config`) when this config is the composite's (`model_type` is `composite`), with
    /// the composite's file for error messages; otherwise this config itself. A composite without
    /// the nested object gives the tower's defaults.
    func tower(_ key: String, composite: String) throws(PretrainedError) -> ModelConfig {
        modelType == composite ? try subConfig(key) : self
    }

    /// The nested config `key` as a composite config class reads it (`CLIPConfig(**config_dict)`):
    /// the object, or the sub-config's defaults when absent, whatever this config's `model_type`.
    func subConfig(_ key: String) throws(PretrainedError) -> ModelConfig {
        guard let nested = json[key], !nested.isNull else { return try ModelConfig(json: .object([]), file: file) }
        guard case .object = nested else { throw .invalidConfig(file: file, reason: "'\(key)' is not an object") }
        return try ModelConfig(json: nested, file: file)
    }
}
