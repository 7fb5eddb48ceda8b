extension ModelConfig {
    /// Reads the config of a model folder (its `config.json`) or the config file itself.
    ///
    /// ```swift
    /// let config = try ModelConfig.read(folderOrFile: "Llama-2-7b-hf")   // Llama-2-7b-hf/config.json
    /// ```
    /// - Throws: `PretrainedError.io` when the file cannot be read, `.invalidConfig` when it is
    ///   not a JSON object.
    public static func read(folderOrFile path: String) throws(PretrainedError) -> ModelConfig {
        let file = FileSystem.kind(of: path) == .directory ? Path.join(path, "config.json") : path
        return try read(path: file)
    }
}
