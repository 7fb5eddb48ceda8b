/// A Swift type whose memory layout is exactly one element of a safetensors dtype.
public protocol TensorElement: BitwiseCopyable {
    /// The dtype this type reads.
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .f32 } }
extension Double: TensorElement { public static var dtype: DType { .f64 } }
extension Int8: TensorElement { public static var dtype: DType { .i8 } }
extension UInt8: TensorElement { public static var dtype: DType { .u8 } }
extension Int16: TensorElement { public static var dtype: DType { .i16 } }
extension UInt16: TensorElement { public static var dtype: DType { .u16 } }
extension Int32: TensorElement { public static var dtype: DType { .i32 } }
extension UInt32: TensorElement { public static var dtype: DType { .u32 } }
extension Int64: TensorElement { public static var dtype: DType { .i64 } }
extension UInt64: TensorElement { public static var dtype: DType { .u64 } }
#if !(os(macOS) && arch(x86_64))
extension Float16: TensorElement { public static var dtype: DType { .f16 } }
#endif

extension Tensor {
    /// The elements, read as `T` (which must match the dtype exactly; see `floats()` to widen).
    ///
    /// - Throws: `PretrainedError.elementTypeMismatch` when `T.dtype` is not the tensor's dtype.
    /// - Complexity: O(*n*); the bytes need not be aligned.
    public func scalars<T: TensorElement>(as type: T.Type = T.self) throws(PretrainedError) -> [T] {
        guard T.dtype == dtype else {
            throw .elementTypeMismatch(tensor: name, dtype: dtype, requested: String(describing: T.self))
        }
        return withUnsafeBytes { raw in
            (0..<elementCount).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self) }
        }
    }

    /// The elements of a `BOOL` tensor (any non-zero byte is `true`).
    public func bools() throws(PretrainedError) -> [Bool] {
        guard dtype == .bool else { throw .elementTypeMismatch(tensor: name, dtype: dtype, requested: "Bool") }
        return withUnsafeBytes { raw in raw.map { $0 != 0 } }
    }

    /// The elements as `Float`, widening `F16` and `BF16` exactly.
    ///
    /// - Throws: `PretrainedError.elementTypeMismatch` for dtypes other than F32, F16 and BF16.
    public func floats() throws(PretrainedError) -> [Float] {
        switch dtype {
        case .f32:
            return try scalars(as: Float.self)
        case .bf16:
            return withUnsafeBytes { raw in
                (0..<elementCount).map { i in
                    BrainFloat.widen(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            }
        case .f16:
            return withUnsafeBytes { raw in
                (0..<elementCount).map { i in
                    HalfFloat.widen(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            }
        default:
            throw .elementTypeMismatch(tensor: name, dtype: dtype, requested: "Float")
        }
    }
}
