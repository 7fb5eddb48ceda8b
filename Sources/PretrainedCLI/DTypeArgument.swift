import ArgumentParser
import Pretrained

/// The `--dtype` value of every command, parsed in this one place.
enum DTypeArgument {
    /// `auto`, or a floating-point dtype by its safetensors or PyTorch name (case-insensitive).
    ///
    /// - Throws: a usage error naming the accepted values.
    static func parse(_ text: String) throws -> LoadOptions.DTypeChoice {
        switch text.uppercased() {
        case "AUTO": return .auto
        case "F32", "FLOAT32": return .fixed(.f32)
        case "F16", "FLOAT16": return .fixed(.f16)
        case "BF16", "BFLOAT16": return .fixed(.bf16)
        default: throw ValidationError("--dtype must be auto, F32, F16 or BF16, not '\(text)'")
        }
    }
}
