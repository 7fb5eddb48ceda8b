/// One tensor entry of a safetensors header: where its bytes are and how to read them.
public struct TensorInfo: Sendable, Hashable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// The byte range relative to the start of the data section (just after the header).
    public var dataOffsets: Range<Int>

    public init(name: String, dtype: DType, shape: [Int], dataOffsets: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataOffsets = dataOffsets
    }

    /// The number of elements (1 for a 0-rank scalar, 0 when any dimension is 0).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The number of bytes of tensor data.
    public var byteCount: Int { dataOffsets.count }
}
