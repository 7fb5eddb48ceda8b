/// How one quantized parameter is stored.
public enum QuantizationFormat: Sendable, Hashable {
    /// FP8 E4M3 weights with one F32 (or BF16) `weight_scale_inv` per `rows x columns` block, as
    /// `transformers`' fine-grained FP8 (`quant_method: "fp8"`, `weight_block_size`).
    case fp8Block(rows: Int, columns: Int)
    /// MLX affine quantization (`quantization: {group_size, bits}`): `bits`-bit integers packed
    /// little-endian into U32 words along the last dimension, with one `scales` and one `biases`
    /// value per `groupSize` consecutive elements: `w = scale * q + bias`.
    case mlxAffine(groupSize: Int, bits: Int)
    /// MXFP4 (`quant_method: "mxfp4"`, gpt-oss experts): `NAME_blocks` (U8, two E2M1 values per
    /// byte, 32 per block, low nibble first) and `NAME_scales` (one E8M0 exponent per block, as U8).
    case mxfp4
    /// GPTQ (`quant_method: "gptq"`, bits 2, 4 or 8): `qweight` I32 `[in * bits / 32, out]` packed
    /// along the input, `qzeros` I32 `[groups, out * bits / 32]`, `scales` F16 `[groups, out]`,
    /// `g_idx` I32 `[in]`; `w = scale * (q - (zero + zeroOffset))` (`zeroOffset` 1 for the v1
    /// checkpoint format, 0 for `gptq_v2`); `groupSize` -1 is one group over all inputs.
    case gptq(groupSize: Int, bits: Int, zeroOffset: Int)
    /// AWQ GEMM (`quant_method: "awq"`, `version`/`format` `"gemm"`, bits 4): `qweight` I32
    /// `[in, out * bits / 32]` packed along the *output* in AWQ's interleaved order (word nibble
    /// `k` holds output `8 * word + [0, 2, 4, 6, 1, 3, 5, 7][k]`), `qzeros` I32
    /// `[groups, out * bits / 32]` packed the same way, `scales` F16 `[groups, out]`; the weight
    /// `[in, out]` is `scale * (q - zero)` per group of `groupSize` inputs (-1: one group),
    /// transposed to the Linear's `[out, in]`.
    case awq(groupSize: Int, bits: Int)

    /// A short name for reports: `fp8-block`, `mlx-affine`.
    public var name: String {
        switch self {
        case .fp8Block: return "fp8-block"
        case .mlxAffine: return "mlx-affine"
        case .mxfp4: return "mxfp4"
        case .gptq: return "gptq"
        case .awq: return "awq"
        }
    }
}
