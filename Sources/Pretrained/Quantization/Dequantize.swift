/// Dequantization kernels, bit-exact with the reference implementations: `transformers` 5.23's
/// CPU fallback for FP8 blocks (`Fp8Dequantize`: weight and scale widened to F32, one F32
/// product, one rounding to the slot dtype) and MXFP4 (`convert_moe_packed_tensors`), and
/// `mlx.core.dequantize` for MLX affine (in the scales' dtype: `scale * q` rounded, then `+ bias`
/// rounded, as MLX's half types compute). GPTQ and AWQ: see `Dequantize+Integer.swift`.
/// Rows are dequantized straight into the destination, in parallel chunks.
public enum Dequantize {
    /// Dequantizes `parameter` into a new owned storage of `parameter.logicalDType`.
    ///
    /// - Throws: `PretrainedError.invalidQuantizedTensor` naming `file` and the tensor when the
    ///   stored tensors do not fit the format (shapes, dtypes), `.allocationFailed`.
    public static func dequantize(_ parameter: QuantizedParameter, file: String) throws(PretrainedError) -> Tensor {
        let shape = parameter.logicalShape
        let ranks = switch parameter.format {
        case .mxfp4: [3]
        case .fp8Block: [2, 3]
        default: [2]
        }
        guard ranks.contains(shape.count), shape.allSatisfy({ $0 > 0 }) else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "has logical shape \(shape), not "
                + ranks.map { "\($0)-D" }.joined(separator: " or "))
        }
        let (rows, columns) = (shape[0], shape[1])
        let dtype = parameter.logicalDType
        guard dtype == .f32 || dtype == .bf16 || dtype == .f16 else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "cannot be dequantized to \(dtype.rawValue)")
        }
        let storage = try TensorStorage.allocate(byteCount: shape.reduce(1, *) * dtype.bitSize / 8, zeroed: false,
                                                 tensor: parameter.name)
        let out = UnsafeMutableRawPointer(storage.bytes.baseAddress)
        switch parameter.format {
        case .fp8Block:
            try checkFP8(parameter, file: file)
            // Per expert (one matrix for a Linear): transformers derives the block from the scale grid
            // (rows / scale rows, columns / scale columns) and widens weight and scale to F32.
            let scaleTensor = parameter.scales
            let (fp8Rows, fp8Columns) = (shape[shape.count - 2], shape[shape.count - 1])
            let (scaleRows, scaleColumns) = (scaleTensor.shape[scaleTensor.shape.count - 2], scaleTensor.shape[scaleTensor.shape.count - 1])
            let (blockRows, blockColumns) = (fp8Rows / scaleRows, fp8Columns / scaleColumns)
            let scales = try scaleFloats(scaleTensor)
            fp8Table.withUnsafeBufferPointer { table in scales.withUnsafeBufferPointer { scales in
                parameter.data.withUnsafeBytes { weight in forRows(shape.dropLast().reduce(1, *)) { row in
                    let (matrix, matrixRow) = row.quotientAndRemainder(dividingBy: fp8Rows)
                    let base = row * fp8Columns
                    let scaleRow = (matrix * scaleRows + matrixRow / blockRows) * scaleColumns
                    for block in 0..<scaleColumns {
                        let scale = scales[scaleRow + block]
                        for column in (block * blockColumns)..<((block + 1) * blockColumns) {
                            let value = table[Int(weight.load(fromByteOffset: base + column, as: UInt8.self))]
                            store(value * scale, out, base + column, dtype)
                        }
                    }
                } }
            } }
        case .mxfp4:
            try checkMXFP4(parameter, file: file)
            // transformers' convert_moe_packed_tensors: lut[nibble] (low nibble first) times 2^(scale - 127),
            // rounded once to the slot dtype, stored [experts, out, in] then transposed to [experts, in, out].
            // One task per (expert, block of 32 inputs), transposed through a 32 x 64 tile: read 64 outputs'
            // 16 bytes, then write 32 output rows 64 values at a time (rows 2 * outputs bytes apart would
            // otherwise fall in the same cache sets, one value each).
            let (inputs, outputs) = (shape[1], shape[2])
            let blocksPerRow = inputs / 32
            let tile = 64
            fp4E2M1.withUnsafeBufferPointer { lut in parameter.scales.withUnsafeBytes { scales in parameter.data.withUnsafeBytes { blocks in
                forRows(rows * blocksPerRow) { task in
                    let (expert, block) = task.quotientAndRemainder(dividingBy: blocksPerRow)
                    let firstOut = (expert * inputs + block * 32) * outputs
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 * tile) { buffer in
                        for start in stride(from: 0, to: outputs, by: tile) {
                            let width = min(tile, outputs - start)
                            for column in 0..<width {
                                let source = (expert * outputs + start + column) * blocksPerRow + block
                                let exponent = Int(scales.load(fromByteOffset: source, as: UInt8.self)) - 127
                                let scale = Float(sign: .plus, exponent: exponent, significand: 1)
                                for pair in 0..<16 {
                                    let byte = blocks.load(fromByteOffset: source * 16 + pair, as: UInt8.self)
                                    buffer[2 * pair * tile + column] = lut[Int(byte & 0xF)] * scale
                                    buffer[(2 * pair + 1) * tile + column] = lut[Int(byte >> 4)] * scale
                                }
                            }
                            for input in 0..<32 {
                                for column in 0..<width {
                                    store(buffer[input * tile + column], out, firstOut + input * outputs + start + column, dtype)
                                }
                            }
                        }
                    }
                }
            } } }
        case let .gptq(_, bits, zeroOffset):
            try dequantizeGPTQ(parameter, bits: bits, zeroOffset: zeroOffset, into: out, dtype: dtype, file: file)
        case let .awq(groupSize, bits):
            try dequantizeAWQ(parameter, groupSize: groupSize, bits: bits, into: out, dtype: dtype, file: file)
        case let .mlxAffine(groupSize, bits):
            try checkMLX(parameter, groupSize: groupSize, bits: bits, file: file)
            guard let biasTensor = parameter.biases else {
                throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "has no biases")
            }
            let computeDType = parameter.scales.dtype
            let scales = try scaleFloats(parameter.scales)
            let biases = try scaleFloats(biasTensor)
            let wordsPerRow = columns * bits / 32
            let mask = UInt64(1) << bits - 1
            let groups = columns / groupSize
            // Per group, the 2^bits possible values once (when there are no more of them than elements).
            let levels = 1 << bits
            let tabulate = levels <= groupSize
            parameter.data.withUnsafeBytes { packed in forRows(rows) { row in
                guard let words = packed.baseAddress.map({ UnsafeRawPointer($0) + row * wordsPerRow * 4 }) else { return }
                withUnsafeTemporaryAllocation(of: Float.self, capacity: levels) { table in
                    for groupInRow in 0..<groups {
                        let group = row * groups + groupInRow
                        let (scale, bias) = (scales[group], biases[group])
                        if tabulate {
                            for q in 0..<levels { table[q] = round(round(scale * Float(q), computeDType) + bias, computeDType) }
                        }
                        for column in (groupInRow * groupSize)..<((groupInRow + 1) * groupSize) {
                            let bit = column * bits
                            let word = bit >> 5, shift = bit & 31
                            var chunk = UInt64(UInt32(littleEndian: words.loadUnaligned(fromByteOffset: word * 4, as: UInt32.self)))
                            if shift + bits > 32 {
                                chunk |= UInt64(UInt32(littleEndian: words.loadUnaligned(fromByteOffset: word * 4 + 4, as: UInt32.self))) << 32
                            }
                            let q = Int((chunk >> UInt64(shift)) & mask)
                            let value = tabulate ? table[q] : round(round(scale * Float(q), computeDType) + bias, computeDType)
                            store(value, out, row * columns + column, dtype)
                        }
                    }
                }
            } }
        }
        return try Tensor(name: parameter.name, dtype: dtype, shape: shape, storage: storage)
    }

    static func checkFP8(_ parameter: QuantizedParameter, file: String) throws(PretrainedError) {
        let shape = parameter.logicalShape
        guard parameter.data.dtype == .f8e4m3, parameter.data.shape == shape else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.data.name, reason: "is \(parameter.data.dtype.rawValue) "
                + "\(parameter.data.shape), expected F8_E4M3 \(shape)")
        }
        let scales = parameter.scales
        let (rows, columns) = (shape[shape.count - 2], shape[shape.count - 1])
        let grid = scales.shape.suffix(2)
        guard scales.shape.count == shape.count, scales.shape.dropLast(2) == shape.dropLast(2), grid.allSatisfy({ $0 > 0 }),
              rows % grid[grid.startIndex] == 0, columns % grid[grid.startIndex + 1] == 0 else {
            throw .invalidQuantizedTensor(file: file, tensor: scales.name, reason: "has shape \(scales.shape), which does not "
                + "divide the weight's \(shape) into whole blocks")
        }
    }

    static func checkMXFP4(_ parameter: QuantizedParameter, file: String) throws(PretrainedError) {
        let shape = parameter.logicalShape
        let (experts, inputs, outputs) = (shape[0], shape[1], shape[2])
        guard inputs % 32 == 0, parameter.data.dtype == .u8, parameter.data.shape == [experts, outputs, inputs / 32, 16] else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.data.name, reason: "is \(parameter.data.dtype.rawValue) "
                + "\(parameter.data.shape), expected U8 [\(experts), \(outputs), \(inputs / 32), 16] for logical \(shape)")
        }
        guard parameter.scales.dtype == .u8, parameter.scales.shape == [experts, outputs, inputs / 32] else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.scales.name, reason: "is \(parameter.scales.dtype.rawValue) "
                + "\(parameter.scales.shape), expected U8 [\(experts), \(outputs), \(inputs / 32)]")
        }
    }

    /// E2M1 (FP4) values by nibble, as transformers' `FP4_VALUES`.
    static let fp4E2M1: [Float] = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6]

    static func checkMLX(_ parameter: QuantizedParameter, groupSize: Int, bits: Int, file: String) throws(PretrainedError) {
        let (rows, columns) = (parameter.logicalShape[0], parameter.logicalShape[1])
        guard parameter.data.dtype == .u32, parameter.data.shape == [rows, columns * bits / 32], columns * bits % 32 == 0 else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.data.name, reason: "is \(parameter.data.dtype.rawValue) "
                + "\(parameter.data.shape), expected U32 [\(rows), \(columns * bits / 32)] for \(columns) columns at \(bits) bits")
        }
        for companion in [parameter.scales] + (parameter.biases.map { [$0] } ?? []) {
            guard companion.shape == [rows, columns / groupSize] else {
                throw .invalidQuantizedTensor(file: file, tensor: companion.name, reason: "has shape \(companion.shape), "
                    + "expected [\(rows), \(columns / groupSize)] (group size \(groupSize))")
            }
        }
        guard parameter.biases?.dtype == parameter.scales.dtype else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "has scales and biases of different dtypes")
        }
    }

    /// A scale tensor's values widened to `Float` (F32, F16, BF16).
    static func scaleFloats(_ tensor: Tensor) throws(PretrainedError) -> [Float] {
        try tensor.floats()
    }

    /// `fp8E4M3` of every byte.
    static let fp8Table: [Float] = (0...255).map { fp8E4M3(UInt8($0)) }

    /// E4M3FN (no infinities; `S.1111.111` is NaN) to `Float`, exactly.
    @inline(__always)
    static func fp8E4M3(_ byte: UInt8) -> Float {
        let sign: Float = byte & 0x80 == 0 ? 1 : -1
        let exponent = Int(byte >> 3) & 0xF
        let mantissa = Float(byte & 0x7)
        if exponent == 0xF && byte & 0x7 == 0x7 { return .nan }
        if exponent == 0 { return sign * mantissa * 0x1p-9 }
        return sign * (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
    }

    /// `value` rounded to `dtype` (F32 unchanged), as a `Float`.
    @inline(__always)
    static func round(_ value: Float, _ dtype: DType) -> Float {
        switch dtype {
        case .bf16: return BrainFloat.widen(BrainFloat.narrow(value))
        case .f16: return HalfFloat.widen(HalfFloat.narrow(value))
        default: return value
        }
    }

    @inline(__always)
    static func store(_ value: Float, _ out: UnsafeMutableRawPointer?, _ index: Int, _ dtype: DType) {
        guard let out else { return }
        switch dtype {
        case .bf16: out.storeBytes(of: BrainFloat.narrow(value), toByteOffset: index * 2, as: UInt16.self)
        case .f16: out.storeBytes(of: HalfFloat.narrow(value), toByteOffset: index * 2, as: UInt16.self)
        default: out.storeBytes(of: value, toByteOffset: index * 4, as: Float.self)
        }
    }

    /// Runs `body` for every row, in chunks of rows spread over the cores.
    static func forRows(_ rows: Int, _ body: (Int) -> Void) {
        let chunk = 64
        let chunks = (rows + chunk - 1) / chunk
        _ = Parallel.map(chunks) { index in
            for row in (index * chunk)..<min(rows, (index + 1) * chunk) { body(row) }
        }
    }
}
