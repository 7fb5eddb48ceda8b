/// How one quantized parameter is stored.
public enum QuantizationFormat: Sendable, Hashable {
    /// FP8 E4M3 weights with one F32 (or BF16) `weight_scale_inv` per `rows x columns` block, as
    /// `transformers`' fine-grained FP8 (`quant_method: "fp8"`, `weight_block_size`).
    case fp8Block(rows: Int, columns: Int)
    /// MLX affine quantization (`quantization: {group_size, bits}`): `bits`-bit integers packed
    /// little-endian into U32 words along the last dimension, with one `scales` and one `biases`
    /// value per `groupSize` consecutive elements: `w = scale * q + bias`.
    case mlxAffine(groupSize: Int, bits: Int)

    /// The names, relative to the module, of the stored tensors that replace its `weight`, in
    /// checkpoint order: the packed weight first.
    public var storedNames: [String] {
        switch self {
        case .fp8Block: return ["weight", "weight_scale_inv"]
        case .mlxAffine: return ["weight", "scales", "biases"]
        }
    }

    /// A short name for reports: `fp8-block`, `mlx-affine`.
    public var name: String {
        switch self {
        case .fp8Block: return "fp8-block"
        case .mlxAffine: return "mlx-affine"
        }
    }
}
