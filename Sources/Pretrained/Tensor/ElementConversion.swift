/// Converting tensor elements between floating-point dtypes, as PyTorch's `Tensor.to(dtype)`:
/// widening is exact; narrowing rounds to nearest, ties to even.
enum ElementConversion {
    /// The dtypes conversions read and write.
    static let supported: Set<DType> = [.f32, .f16, .bf16, .f64]

    /// Whether `source` elements can be converted to `destination`.
    static func canConvert(_ source: DType, to destination: DType) -> Bool {
        source == destination || (supported.contains(source) && supported.contains(destination))
    }

    /// Converts `count` elements from `source` (bytes of `from`, any alignment) into `destination`
    /// (bytes of `to`). Both buffers must hold exactly `count` elements.
    ///
    /// - Precondition: `canConvert(from, to: to)` and the buffer sizes match `count`.
    static func convert(_ source: UnsafeRawBufferPointer, from: DType, into destination: UnsafeMutableRawBufferPointer,
                        to: DType, count: Int) {
        precondition(canConvert(from, to: to), "unsupported conversion \(from) -> \(to)")
        precondition(source.count == (from.bitSize / 8) * count && destination.count == (to.bitSize / 8) * count,
                     "buffer sizes do not match the element count")
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        if from == to {
            output.copyMemory(from: input, byteCount: source.count)
            return
        }
        switch (from, to) {
        case (.bf16, .f32):
            map(input, UInt16.self, output, UInt32.self, count) { UInt32(UInt16(littleEndian: $0)) << 16 }
        case (.f32, .bf16):
            map(input, UInt32.self, output, UInt16.self, count) { BrainFloat.narrow(Float(bitPattern: UInt32(littleEndian: $0))) }
        case (.f16, .f32):
            map(input, UInt16.self, output, UInt32.self, count) { HalfFloat.widen(UInt16(littleEndian: $0)).bitPattern }
        case (.f32, .f16):
            map(input, UInt32.self, output, UInt16.self, count) { HalfFloat.narrow(Float(bitPattern: UInt32(littleEndian: $0))) }
        default:
            // Through Double, which holds every supported input exactly; narrowing from F64 to the
            // 16-bit types goes through Float, as PyTorch's `c10::Half(float)` and `BFloat16(float)` do.
            for i in 0..<count {
                let value = read(input + i * (from.bitSize / 8), from)
                write(value, to: output + i * (to.bitSize / 8), to)
            }
        }
    }

    @inline(__always)
    private static func map<In: FixedWidthInteger, Out: FixedWidthInteger>(
        _ input: UnsafeRawPointer, _: In.Type, _ output: UnsafeMutableRawPointer, _: Out.Type, _ count: Int,
        _ transform: (In) -> Out
    ) {
        for i in 0..<count {
            let value = input.loadUnaligned(fromByteOffset: i * MemoryLayout<In>.size, as: In.self)
            output.storeBytes(of: transform(value).littleEndian, toByteOffset: i * MemoryLayout<Out>.size, as: Out.self)
        }
    }

    private static func read(_ pointer: UnsafeRawPointer, _ dtype: DType) -> Double {
        switch dtype {
        case .f64: return Double(bitPattern: UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self)))
        case .f32: return Double(Float(bitPattern: UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self))))
        case .f16: return Double(HalfFloat.widen(UInt16(littleEndian: pointer.loadUnaligned(as: UInt16.self))))
        case .bf16: return Double(BrainFloat.widen(UInt16(littleEndian: pointer.loadUnaligned(as: UInt16.self))))
        default: preconditionFailure("unsupported dtype \(dtype)")
        }
    }

    private static func write(_ value: Double, to pointer: UnsafeMutableRawPointer, _ dtype: DType) {
        switch dtype {
        case .f64: pointer.storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
        case .f32: pointer.storeBytes(of: Float(value).bitPattern.littleEndian, as: UInt32.self)
        case .f16: pointer.storeBytes(of: HalfFloat.narrow(Float(value)).littleEndian, as: UInt16.self)
        case .bf16: pointer.storeBytes(of: BrainFloat.narrow(Float(value)).littleEndian, as: UInt16.self)
        default: preconditionFailure("unsupported dtype \(dtype)")
        }
    }
}
