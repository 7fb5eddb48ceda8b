import ArgumentParser
import Pretrained

/// Options that build a model skeleton from a config alone (`inspect --model`, `plan`).
struct ModelOptions: ParsableArguments {
    @Option(help: "dtype of floating-point slots: auto (the config's, else F32), F32, F16 or BF16.")
    var dtype: String?

    @Option(help: "Build this class instead of config.json's architectures[0].")
    var architecture: String?

    /// The chosen dtype: `nil` for `auto`; a usage error for anything else unknown.
    func chosenDType() throws -> DType? {
        guard case .fixed(let dtype) = try DTypeArgument.parse(dtype ?? "auto") else { return nil }
        return dtype
    }

    func validate() throws {
        _ = try chosenDType()
    }

    /// Whether an option of this group was given.
    var isUsed: Bool { dtype != nil || architecture != nil }

    /// The skeleton of the model at `path` (a folder or its `config.json`); no weights are read. A
    /// pre-quantized config gives the packed skeleton (quantized weights and their companions, at
    /// the format's default companion dtypes), so sizes and device maps count quantized bytes.
    func skeleton(path: String) throws -> MetaModel {
        let config = try ModelConfig.read(folderOrFile: path)
        guard let quantization = try QuantizationScheme.detect(config: config.json, file: config.file) else {
            return try MetaModel(config: config, architecture: architecture, dtype: chosenDType())
        }
        let resolved = try ArchitectureRegistry.shared.resolve(config, name: architecture)
        return try MetaModel(config: config, architecture: resolved, dtype: chosenDType(), quantization: quantization)
    }
}
