/// A named, shaped, typed place for a tensor that holds no memory: one entry of a model's
/// `state_dict()`, known before a byte of the checkpoint is read (a "meta" tensor).
public struct TensorSlot: Sendable, Hashable {
    /// A trainable parameter or a persistent buffer (both are saved and loaded).
    public enum Kind: Sendable, Hashable {
        case parameter
        case buffer
    }

    /// The full dotted name, as in `state_dict()` (`model.layers.0.self_attn.q_proj.weight`).
    public var name: String
    public var shape: [Int]
    public var dtype: DType
    public var kind: Kind

    public init(name: String, shape: [Int], dtype: DType, kind: Kind = .parameter) {
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.kind = kind
    }

    /// The number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The number of bytes at the slot's dtype.
    public var byteCount: Int { dtype.byteCount(elements: elementCount) ?? 0 }
}
