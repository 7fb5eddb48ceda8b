/// The stored tensors that replace a module's logical `weight` under a format: their names,
/// shapes and dtypes, as the quantizer's replacement module declares them.
public struct QuantizedLayout: Sendable, Hashable {
    /// One stored tensor.
    public struct Part: Sendable, Hashable {
        /// The full checkpoint name (`model.layers.0.mlp.up_proj.weight_scale_inv`).
        public var name: String
        public var shape: [Int]
        public var dtype: DType
    }

    /// The module's path (`model.layers.0.mlp.up_proj`).
    public var module: String
    public var format: QuantizationFormat
    /// The weight's logical (dequantized) shape and dtype.
    public var logicalShape: [Int]
    public var logicalDType: DType
    /// The packed weight first, then its companions, in `format.storedNames` order.
    public var parts: [Part]

    /// The logical parameter's name (`module.weight`, or `module.gate_up_proj` for MXFP4 experts).
    public var name: String

    /// The layout of `module`'s `weight` (shape `[out, in]`, dtype `dtype`) under `format`;
    /// `storedDType` gives a companion's dtype in the checkpoint, when it has the tensor (scales
    /// are held as stored).
    ///
    /// - Throws: `PretrainedError.invalidQuantization` when the weight does not pack into whole
    ///   32-bit words along its packed dimension, or (AWQ) its inputs into whole groups.
    public init(module: String, parameter: String = "weight", format: QuantizationFormat, logicalShape: [Int],
                logicalDType: DType, storedDType: (String) -> DType?, file: String) throws(PretrainedError) {
        self.module = module
        self.name = module + "." + parameter
        self.format = format
        self.logicalShape = logicalShape
        self.logicalDType = logicalDType
        if case .mxfp4 = format {
            guard logicalShape.count == 3, logicalShape[1] % 32 == 0 else {
                throw .invalidQuantization(file: file, reason: "'\(module).\(parameter)' has shape \(logicalShape), whose "
                    + "input dimension does not divide into MXFP4 blocks of 32")
            }
            let (experts, inputs, outputs) = (logicalShape[0], logicalShape[1], logicalShape[2])
            let base = module + "." + parameter
            parts = [Part(name: base + "_blocks", shape: [experts, outputs, inputs / 32, 16], dtype: .u8),
                     Part(name: base + "_scales", shape: [experts, outputs, inputs / 32], dtype: .u8)]
            return
        }
        func floating(_ name: String, _ fallback: DType) -> DType {
            guard let stored = storedDType(name), stored.isFloatingPoint, stored.bitSize >= 16 else { return fallback }
            return stored
        }
        if case let .fp8Block(blockRows, blockColumns) = format {
            // Linear [out, in], or FP8Experts' [experts, out, in] with one grid per expert; the fused
            // gate_up_proj keeps at least two scale rows (one per half), as `_alloc_expert_proj`.
            let (rows, columns) = (logicalShape[logicalShape.count - 2], logicalShape[logicalShape.count - 1])
            let base = module + "." + parameter
            let scale = base + "_scale_inv"
            var grid = [(rows + blockRows - 1) / blockRows, (columns + blockColumns - 1) / blockColumns]
            if logicalShape.count == 3 {
                grid = [logicalShape[0], parameter == "gate_up_proj" ? max(grid[0], 2) : grid[0], grid[1]]
            }
            parts = [Part(name: base, shape: logicalShape, dtype: .f8e4m3),
                     Part(name: scale, shape: grid, dtype: floating(scale, .f32))]
            return
        }
        let (rows, columns) = (logicalShape[0], logicalShape[1])
        switch format {
        case .fp8Block:
            parts = []
        case let .mlxAffine(groupSize, bits):
            guard columns % groupSize == 0, columns * bits % 32 == 0 else {
                throw .invalidQuantization(file: file, reason: "'\(module).weight' has \(columns) columns, which do not "
                    + "divide into groups of \(groupSize) packed in 32-bit words at \(bits) bits")
            }
            let groups = [rows, columns / groupSize]
            parts = [Part(name: module + ".weight", shape: [rows, columns * bits / 32], dtype: .u32),
                     Part(name: module + ".scales", shape: groups, dtype: floating(module + ".scales", logicalDType)),
                     Part(name: module + ".biases", shape: groups, dtype: floating(module + ".biases", logicalDType))]
        case let .gptq(groupSize, bits, _):
            guard columns * bits % 32 == 0, rows * bits % 32 == 0 else {
                throw .invalidQuantization(file: file, reason: "'\(module).weight' \(logicalShape) does not pack into "
                    + "32-bit words at \(bits) bits")
            }
            let groups = groupSize <= 0 ? 1 : (columns + groupSize - 1) / groupSize   // -1: one group
            parts = [Part(name: module + ".qweight", shape: [columns * bits / 32, rows], dtype: .i32),
                     Part(name: module + ".qzeros", shape: [groups, rows * bits / 32], dtype: .i32),
                     Part(name: module + ".scales", shape: [groups, rows], dtype: floating(module + ".scales", .f16)),
                     Part(name: module + ".g_idx", shape: [columns], dtype: .i32)]
        case let .awq(groupSize, bits):
            let group = groupSize <= 0 ? columns : groupSize   // -1: one group
            guard rows * bits % 32 == 0, columns % group == 0 else {
                throw .invalidQuantization(file: file, reason: "'\(module).weight' \(logicalShape) does not pack into "
                    + "32-bit words at \(bits) bits along its \(rows) outputs, or its \(columns) inputs into groups of \(group)")
            }
            let groups = columns / group
            parts = [Part(name: module + ".qweight", shape: [columns, rows * bits / 32], dtype: .i32),
                     Part(name: module + ".qzeros", shape: [groups, rows * bits / 32], dtype: .i32),
                     Part(name: module + ".scales", shape: [groups, rows], dtype: floating(module + ".scales", .f16))]
        case .mxfp4:
            parts = []
        }
    }
}
