/// Which part of a full tensor a rank holds under tensor parallelism: `length` indices from
/// `start` along `dim` (as `transformers` 5.23's DTensor `Shard(dim)` placements chunk it), or,
/// for a packed slice (`_StridedShard`: fused gate/up, fused qkv), one such range from each part,
/// concatenated in order.
public struct TensorSlice: Sendable, Hashable {
    /// The sharded dimension of the full tensor.
    public var dim: Int
    /// The ranges along `dim` this rank holds, in order: one, or one per packed part.
    public var ranges: [Range<Int>]
    /// The shape of the full tensor.
    public var fullShape: [Int]

    public init(dim: Int, start: Int, length: Int, fullShape: [Int]) {
        self.init(dim: dim, ranges: [start..<(start + length)], fullShape: fullShape)
    }

    public init(dim: Int, ranges: [Range<Int>], fullShape: [Int]) {
        self.dim = dim
        self.ranges = ranges
        self.fullShape = fullShape
    }

    /// The first index along `dim` this rank holds (of the first part, for a packed slice).
    public var start: Int { ranges.first?.lowerBound ?? 0 }
    /// How many indices along `dim` this rank holds (0 for a rank past the end).
    public var length: Int { ranges.reduce(0) { $0 + $1.count } }
    /// Whether the slice takes a range from each of several packed parts.
    public var isPacked: Bool { ranges.count > 1 }

    /// The shape of the rank's local tensor.
    public var localShape: [Int] {
        var shape = fullShape
        shape[dim] = length
        return shape
    }
}

/// A model loaded on one rank of a tensor-parallel group: the rank, the group size, and the slice
/// each sharded parameter holds (replicated parameters have none).
///
/// ```swift
/// var options = LoadOptions()
/// options.tensorParallel = TensorParallelRank(rank: 0, size: 2)
/// let model = try load(pretrained: "Llama-tiny", options: options)
/// model.tensorParallel?.slices["lm_head.weight"]   // dim 0, start 0, length vocab / 2
/// ```
public struct TensorParallelLayout: Sendable, Hashable {
    public var rank: Int
    public var size: Int
    /// Parameter name -> its slice of the full tensor, for every sharded parameter.
    public var slices: [String: TensorSlice]

    public init(rank: Int, size: Int, slices: [String: TensorSlice]) {
        self.rank = rank
        self.size = size
        self.slices = slices
    }
}
