/// Sizes of every module and tensor as `accelerate`'s `compute_module_sizes` counts them.
///
/// Internally in bits: `accelerate` counts a `bool` element as 1/8 byte, so sizes are exact in bits,
/// never in bytes.
struct ModuleSizes: Sendable {
    /// Bits per name: `""` (the model), each module, each tensor. Names that hold nothing (a
    /// stateless module, a de-duplicated tied parameter) are absent and read as 0.
    private(set) var bits: [String: Int] = [:]

    /// `compute_module_sizes(model, dtype)`: every parameter once (tied ones under their first
    /// name) and every buffer, persistent or not. A tensor counts `elements x` its dtype's size,
    /// capped at `dtype`'s size for a non-integer tensor when `dtype` is given.
    init(_ tree: ModuleTree, dtype: DType?) {
        for (i, tensor) in tree.tensors.enumerated() where !tree.isDuplicate(i) {
            let size = tensor.elementCount * Self.elementBits(tensor.dtype, cappedAt: dtype)
            var end = tensor.name.startIndex
            bits["", default: 0] += size
            while let dot = tensor.name[end...].firstIndex(of: ".") {
                bits[String(tensor.name[..<dot]), default: 0] += size
                end = tensor.name.index(after: dot)
            }
            bits[tensor.name, default: 0] += size
        }
    }

    /// The size of `name` in bits (0 for a name that holds nothing).
    subscript(name: String) -> Int { bits[name] ?? 0 }

    /// The size of `name` in whole bytes, as `int(size)` in Python.
    func bytes(_ name: String) -> Int { self[name] / 8 }

    /// `accelerate`'s `dtype_byte_size` in bits: `bool` is one bit, every other dtype its width.
    static func bits(_ dtype: DType) -> Int { dtype == .bool ? 1 : dtype.bitSize }

    /// The bits of one element of a `dtype` tensor when sizes are computed for `target`: integer and
    /// boolean tensors keep their size (they are never converted), others take the smaller size.
    static func elementBits(_ dtype: DType, cappedAt target: DType?) -> Int {
        guard let target, !dtype.isIntegerOrBool else { return bits(dtype) }
        return min(bits(target), bits(dtype))
    }
}

extension DType {
    /// Whether the dtype is an integer or boolean type (`torch.int*`, `torch.uint*`, `torch.bool`).
    var isIntegerOrBool: Bool {
        switch self {
        case .bool, .u8, .i8, .i16, .u16, .i32, .u32, .i64, .u64: return true
        default: return false
        }
    }
}

extension MetaModel {
    /// The size in bytes of the model (`""`), of each module and of each tensor, as `accelerate`'s
    /// `compute_module_sizes(model, dtype)` gives them: what a device map has to hold.
    ///
    /// Unlike `modules`, this counts buffers too (non-persistent ones such as
    /// `rotary_emb.inv_freq` included) and a tied parameter only once, under its first name in
    /// model order.
    ///
    /// - Parameter dtype: the dtype the weights will be loaded in; a non-integer tensor counts at
    ///   most this size per element. `nil`: every tensor at its own dtype.
    /// - Returns: bytes by name, for every name that holds at least one tensor.
    public func moduleSizes(dtype: DType? = nil) -> [String: Int] {
        ModuleSizes(ModuleTree(self), dtype: dtype).bits.mapValues { $0 / 8 }
    }
}
