/// A named, typed, shaped block of bytes: a loaded weight or buffer.
///
/// The bytes are held by a `TensorStorage`, which may be shared with other tensors (tied
/// parameters) and may be a zero-copy view into a mapped checkpoint.
///
/// ```swift
/// let weight = try file.tensor(named: "transformer.wte.weight")
/// let values: [Float] = try weight.scalars(as: Float.self)
/// ```
public struct Tensor: Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// The memory holding the tensor's bytes (little-endian, row-major, unaligned in general).
    public var storage: TensorStorage

    /// A tensor over `storage`, whose size must match `dtype` and `shape`.
    ///
    /// - Throws: `PretrainedError.invalidTensorData` when the sizes disagree.
    public init(name: String, dtype: DType, shape: [Int], storage: TensorStorage) throws(PretrainedError) {
        let elements = try Tensor.elementCount(of: shape, name: name)
        guard let expected = dtype.byteCount(elements: elements) else {
            throw .invalidTensorData(tensor: name, reason: "\(elements) \(dtype.rawValue) elements do not fill whole bytes")
        }
        guard expected == storage.count else {
            throw .invalidTensorData(tensor: name, reason: "has \(storage.count) bytes but dtype \(dtype.rawValue) and shape \(shape) need \(expected)")
        }
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.storage = storage
    }

    /// A tensor holding a copy of `bytes`.
    public init(name: String, dtype: DType, shape: [Int], copying bytes: UnsafeRawBufferPointer) throws(PretrainedError) {
        try self.init(name: name, dtype: dtype, shape: shape, storage: TensorStorage(copying: bytes))
    }

    /// A tensor holding a copy of `bytes`.
    public init(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) throws(PretrainedError) {
        let storage = bytes.withUnsafeBytes { TensorStorage(copying: $0) }
        try self.init(name: name, dtype: dtype, shape: shape, storage: storage)
    }

    static func elementCount(of shape: [Int], name: String) throws(PretrainedError) -> Int {
        var elements = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .invalidTensorData(tensor: name, reason: "shape \(shape) has a negative dimension") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidTensorData(tensor: name, reason: "shape \(shape) overflows") }
            elements = product
        }
        return elements
    }

    /// The number of elements: the product of the shape (1 for a 0-rank scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The number of bytes.
    public var byteCount: Int { storage.count }

    /// The address of the first byte, like PyTorch's `data_ptr()`: equal for tensors that share
    /// a storage (0 for an empty tensor without memory).
    public var dataAddress: UInt {
        storage.bytes.baseAddress.map { UInt(bitPattern: $0) } ?? 0
    }

    /// Whether this tensor and `other` share one storage (as tied parameters do).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// Calls `body` with the tensor's raw bytes.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(storage.bytes))
    }

    /// Calls `body` with the tensor's raw bytes for writing, with value semantics: when the
    /// storage is shared (with a tied partner, with the model the tensor was taken from, or with
    /// another copy of this value), this tensor first gets its own copy, so nothing else changes.
    /// A mapped checkpoint file never changes either way (its mapping is copy-on-write).
    ///
    /// ```swift
    /// var head = model["lm_head.weight"]!
    /// head.withUnsafeMutableBytes { $0.storeBytes(of: 0, as: UInt32.self) }   // model unchanged
    /// ```
    public mutating func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        if !isKnownUniquelyReferenced(&storage) {
            storage = TensorStorage(copying: UnsafeRawBufferPointer(storage.bytes))
        }
        return try body(storage.bytes)
    }

    /// Calls `body` with the bytes of the shared storage for writing, as PyTorch writes through a
    /// parameter: every tensor sharing this storage (a tied partner, the model's own entry) sees
    /// the change. A mapped checkpoint file never does (its mapping is copy-on-write).
    ///
    /// ```swift
    /// model["lm_head.weight"]!.withUnsafeMutableSharedBytes { $0.storeBytes(of: 0, as: UInt32.self) }
    /// // model["transformer.wte.weight"] (tied) sees the write too
    /// ```
    public func withUnsafeMutableSharedBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(storage.bytes)
    }

    /// The raw bytes as an array.
    public var bytes: [UInt8] { Array(storage.bytes) }
}
