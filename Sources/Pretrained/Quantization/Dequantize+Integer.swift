/// The integer group formats, GPTQ and AWQ: `bits`-wide unsigned integers packed into I32 words,
/// one zero point (packed the same way) and one scale per group, and
/// `w = round(scale * (q - zero))` in the scales' dtype (F16: the exact product of a small
/// integer and an F16, rounded once, as `torch` computes an int tensor times an F16 tensor), then
/// stored in the slot dtype. `transformers` 5.23 has no CPU dequantization of either (it needs
/// `gptqmodel`), so the references are these formulas in numpy (`scripts/fixtures/quantized.py`).
extension Dequantize {
    /// GPTQ: `qweight` `[in * bits / 32, out]` packed along the input, first value in the low
    /// bits; `w[o, i] = scale[g, o] * (q[i, o] - (zero[g, o] + zeroOffset))` with `g = g_idx[i]`.
    static func dequantizeGPTQ(_ parameter: QuantizedParameter, bits: Int, zeroOffset: Int, into out: UnsafeMutableRawPointer?,
                               dtype: DType, file: String) throws(PretrainedError) {
        let (rows, columns) = (parameter.logicalShape[0], parameter.logicalShape[1])
        let perWord = 32 / bits
        guard let zeros = parameter.zeros, let indices = parameter.groupIndices else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "has no qzeros or g_idx")
        }
        guard columns % perWord == 0, rows % perWord == 0 else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "has logical shape "
                + "\(parameter.logicalShape), which does not pack into 32-bit words at \(bits) bits")
        }
        try checkPacked(parameter.data, shape: [columns / perWord, rows], file: file)
        let groups = parameter.scales.shape.first ?? 0
        guard parameter.scales.shape == [groups, rows], zeros.dtype == .i32, zeros.shape == [groups, rows / perWord],
              indices.dtype == .i32, indices.shape == [columns] else {
            throw .invalidQuantizedTensor(file: file, tensor: zeros.name, reason: "qzeros \(zeros.shape), scales "
                + "\(parameter.scales.shape) and g_idx \(indices.shape) do not fit the weight \(parameter.logicalShape)")
        }
        let groupIndex = try indices.scalars(as: Int32.self).map(Int.init)
        guard groupIndex.allSatisfy({ $0 >= 0 && $0 < groups }) else {
            throw .invalidQuantizedTensor(file: file, tensor: indices.name, reason: "has a group index outside 0..<\(groups)")
        }
        let scales = try scaleFloats(parameter.scales)
        let computeDType = parameter.scales.dtype
        let zeroWords = try zeros.scalars(as: Int32.self)
        // One word holds `perWord` consecutive inputs of one output: each is loaded once, and the
        // outputs of a thread's chunk share the cache lines of the words they read. An output's
        // values come from a table of its (group, level) products, rounded once each.
        let levels = 1 << bits
        parameter.data.withUnsafeBytes { packed in forRows(rows) { output in
            let zeroWord = output / perWord, zeroField = output % perWord
            var table = [Float](repeating: 0, count: groups * levels)
            for group in 0..<groups {
                let zero = field(zeroWords[group * (rows / perWord) + zeroWord], zeroField, bits) + zeroOffset
                for q in 0..<levels { table[group * levels + q] = value(scales[group * rows + output], q, zero, computeDType) }
            }
            for wordRow in 0..<(columns / perWord) {
                let packedWord = word(packed, wordRow * rows + output)
                for k in 0..<perWord {
                    let input = wordRow * perWord + k
                    store(table[groupIndex[input] * levels + field(packedWord, k, bits)], out, output * columns + input, dtype)
                }
            }
        } }
    }

    /// AWQ GEMM: `qweight` `[in, out * bits / 32]` packed along the output in AWQ's interleaved
    /// order, `qzeros` `[groups, out * bits / 32]` likewise, `scales` `[groups, out]`;
    /// `weight[i, o] = scale[g, o] * (q[i, o] - zero[g, o])` with `g = i / groupSize`, as AutoAWQ's
    /// `dequantize_gemm` (unpack, reverse the order, subtract, multiply), transposed into the
    /// Linear's `[out, in]`.
    static func dequantizeAWQ(_ parameter: QuantizedParameter, groupSize: Int, bits: Int, into out: UnsafeMutableRawPointer?,
                              dtype: DType, file: String) throws(PretrainedError) {
        let (rows, columns) = (parameter.logicalShape[0], parameter.logicalShape[1])
        let perWord = 32 / bits
        let group = groupSize <= 0 ? columns : groupSize
        guard bits == 4, rows % perWord == 0, columns % group == 0 else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "has logical shape "
                + "\(parameter.logicalShape), which does not pack into AWQ's 4-bit words and groups of \(group) inputs")
        }
        guard let zeros = parameter.zeros else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.name, reason: "has no qzeros")
        }
        let (groups, wordsPerInput) = (columns / group, rows / perWord)
        try checkPacked(parameter.data, shape: [columns, wordsPerInput], file: file)
        try checkPacked(zeros, shape: [groups, wordsPerInput], file: file)
        guard parameter.scales.shape == [groups, rows] else {
            throw .invalidQuantizedTensor(file: file, tensor: parameter.scales.name, reason: "has shape "
                + "\(parameter.scales.shape), expected [\(groups), \(rows)] (groups of \(group) inputs)")
        }
        let scales = try scaleFloats(parameter.scales)
        let computeDType = parameter.scales.dtype
        let zeroWords = try zeros.scalars(as: Int32.self)
        // One word holds `perWord` outputs of one input: each is loaded once, its outputs written
        // to their rows together (a chunk of word columns per thread), their values taken from a
        // table of the group's (output, level) products, rounded once each.
        let levels = 1 << bits
        parameter.data.withUnsafeBytes { packed in forRows(wordsPerInput) { wordIndex in
            var table = [Float](repeating: 0, count: perWord * levels)
            for input in 0..<columns {
                let g = input / group
                if input % group == 0 {
                    let zeroWord = zeroWords[g * wordsPerInput + wordIndex]
                    for k in 0..<perWord {
                        let zero = field(zeroWord, awqFieldOfOutput[k], bits)
                        let scale = scales[g * rows + wordIndex * perWord + k]
                        for q in 0..<levels { table[k * levels + q] = value(scale, q, zero, computeDType) }
                    }
                }
                let packedWord = word(packed, input * wordsPerInput + wordIndex)
                for k in 0..<perWord {
                    store(table[k * levels + field(packedWord, awqFieldOfOutput[k], bits)], out,
                          (wordIndex * perWord + k) * columns + input, dtype)
                }
            }
        } }
    }

    /// Which 4-bit field of a word holds output `8 * word + k`: AutoAWQ packs field `f` with output
    /// `[0, 2, 4, 6, 1, 3, 5, 7][f]`, so this is the inverse permutation (`AWQ_REVERSE_ORDER`).
    static let awqFieldOfOutput = [0, 4, 1, 5, 2, 6, 3, 7]

    /// Throws unless `tensor` is I32 of `shape`.
    static func checkPacked(_ tensor: Tensor, shape: [Int], file: String) throws(PretrainedError) {
        guard tensor.dtype == .i32, tensor.shape == shape else {
            throw .invalidQuantizedTensor(file: file, tensor: tensor.name, reason: "is \(tensor.dtype.rawValue) "
                + "\(tensor.shape), expected I32 \(shape)")
        }
    }

    /// The I32 word at `index` of `packed`, as unsigned bits.
    @inline(__always)
    static func word(_ packed: UnsafeRawBufferPointer, _ index: Int) -> UInt32 {
        UInt32(littleEndian: packed.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
    }

    /// Field `position` (`bits` wide, field 0 in the low bits) of `word`.
    @inline(__always)
    static func field<W: FixedWidthInteger>(_ word: W, _ position: Int, _ bits: Int) -> Int {
        Int((UInt32(truncatingIfNeeded: word) >> UInt32(position * bits)) & (UInt32(1) << bits - 1))
    }

    /// `scale * (q - zero)`, rounded once to `computeDType` (the scales' dtype).
    @inline(__always)
    static func value(_ scale: Float, _ q: Int, _ zero: Int, _ computeDType: DType) -> Float {
        round(scale * Float(q - zero), computeDType)
    }
}
