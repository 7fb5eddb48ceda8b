/// A typed view of one quantized parameter as stored: its format, the packed data and the
/// companions an engine's kernels need, and the logical shape and dtype it dequantizes to.
///
/// ```swift
/// for parameter in model.quantizedParameters {
///     if case .mlxAffine(let groupSize, let bits) = parameter.format { ... parameter.data, parameter.scales, parameter.biases }
/// }
/// ```
public struct QuantizedParameter: Sendable {
    /// The logical parameter's name (`model.layers.0.mlp.up_proj.weight`).
    public var name: String
    public var format: QuantizationFormat
    /// The packed weight as stored (F8_E4M3 `[out, in]` or `[experts, out, in]`; U32 `[out, in * bits / 32]`; MXFP4: U8
    /// `[experts, out, in / 32, 16]` for a logical `[experts, in, out]`; GPTQ `qweight` I32
    /// `[in * bits / 32, out]`; AWQ `qweight` I32 `[in, out * bits / 32]`).
    public var data: Tensor
    /// FP8: `weight_scale_inv` (one per block; experts: `[experts, grid rows, grid columns]`); MLX, GPTQ, AWQ: `scales` (one per group); MXFP4: `_scales`.
    public var scales: Tensor
    /// MLX: `biases` (one per group); `nil` for FP8.
    public var biases: Tensor?
    /// GPTQ and AWQ: the packed zero points `qzeros`; GPTQ: `g_idx` (each input's group).
    public var zeros: Tensor?
    public var groupIndices: Tensor?
    /// The dequantized shape (`[out, in]`; FP8 experts `[experts, out, in]`; MXFP4
    /// `[experts, in, out]`) and the slot dtype.
    public var logicalShape: [Int]
    public var logicalDType: DType

    public init(name: String, format: QuantizationFormat, data: Tensor, scales: Tensor, biases: Tensor?,
                zeros: Tensor? = nil, groupIndices: Tensor? = nil, logicalShape: [Int], logicalDType: DType) {
        self.zeros = zeros
        self.groupIndices = groupIndices
        self.name = name
        self.format = format
        self.data = data
        self.scales = scales
        self.biases = biases
        self.logicalShape = logicalShape
        self.logicalDType = logicalDType
    }

    /// FP8: the block `[rows, columns]`; MLX: `[1, groupSize]`.
    public var blockSize: [Int] {
        switch format {
        case let .fp8Block(rows, columns): return [rows, columns]
        case let .mlxAffine(groupSize, _): return [1, groupSize]
        case .mxfp4: return [1, 32]
        case let .gptq(groupSize, _, _), let .awq(groupSize, _): return [groupSize, 1]
        }
    }

    /// The group size (MLX, GPTQ, AWQ; -1 for one group over all inputs) or the block's column count (FP8).
    public var groupSize: Int {
        if case .gptq(let groupSize, _, _) = format { return groupSize }
        if case .awq(let groupSize, _) = format { return groupSize }
        return blockSize[1]
    }
}
