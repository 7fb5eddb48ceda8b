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
    /// The packed weight as stored (F8_E4M3 `[out, in]`, or U32 `[out, in * bits / 32]`).
    public var data: Tensor
    /// FP8: `weight_scale_inv` (one per block); MLX: `scales` (one per group).
    public var scales: Tensor
    /// MLX: `biases` (one per group); `nil` for FP8.
    public var biases: Tensor?
    /// The dequantized shape `[out, in]` and the slot dtype it dequantizes to.
    public var logicalShape: [Int]
    public var logicalDType: DType

    public init(name: String, format: QuantizationFormat, data: Tensor, scales: Tensor, biases: Tensor?,
                logicalShape: [Int], logicalDType: DType) {
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
        }
    }

    /// The group size (MLX) or the block's column count (FP8).
    public var groupSize: Int { blockSize[1] }
}
