extension LoadPlan {
    /// The plan for one rank: each sliced slot's pieces cut down to the rank's part, as
    /// contiguous byte ranges of the stored tensors placed at their offsets in the local slot.
    /// A slice on dimension 0 is one range (a zero-copy view when the bytes fit); a slice on a later
    /// dimension is one range per row of the dimensions before it, so only the rank's bytes are
    /// read (the other ranks' parts of each row are skipped).
    ///
    /// - Parameters:
    ///   - slices: per slot of `model` (the full skeleton the plan was made for), its slice or `nil`.
    /// - Throws: `PretrainedError.invalidTensorParallel` for a sub-byte dtype, whose elements do
    ///   not start on byte boundaries.
    func sliced(_ slices: [TensorSlice?], model: MetaModel) throws(PretrainedError) -> LoadPlan {
        var result = self
        for (index, slice) in slices.enumerated() {
            guard let slice, let fill = fills[index] else { continue }
            let slot = model.slots[index]
            guard slot.dtype.bitSize % 8 == 0, fill.pieces.allSatisfy({ $0.info.dtype.bitSize % 8 == 0 }) else {
                throw .invalidTensorParallel(reason: "'\(slot.name)' has a sub-byte dtype, which cannot be sliced")
            }
            let segments = Self.segments(of: slice)
            let slotWidth = slot.dtype.bitSize / 8
            var pieces: [Piece] = []
            var covered = 0
            for piece in fill.pieces {
                let width = piece.info.dtype.bitSize / 8
                let first = piece.slotOffset / slotWidth
                let end = first + piece.info.byteCount / width
                for segment in segments {
                    let lower = max(first, segment.full.lowerBound), upper = min(end, segment.full.upperBound)
                    guard lower < upper else { continue }
                    let begin = piece.info.dataOffsets.lowerBound + (lower - first) * width
                    let info = TensorInfo(name: piece.info.name, dtype: piece.info.dtype, shape: [upper - lower],
                                          dataOffsets: begin..<(begin + (upper - lower) * width))
                    let local = segment.local + (lower - segment.full.lowerBound)
                    pieces.append(Piece(shard: piece.shard, info: info, slotOffset: local * slotWidth))
                    covered += upper - lower
                }
            }
            let complete = covered == slice.localShape.reduce(1, *)
            result.fills[index] = Fill(pieces: pieces, pieceCount: complete ? pieces.count : pieces.count + 1)
        }
        return result
    }

    /// The element ranges of the full tensor a slice covers, each with the element offset where it
    /// starts in the local tensor: one range for dimension 0 (or when the dimensions before the
    /// sliced one are all 1), one per row of the dimensions before it otherwise, and one per packed
    /// part within each.
    static func segments(of slice: TensorSlice) -> [(full: Range<Int>, local: Int)] {
        let shape = slice.fullShape
        let outer = shape[..<slice.dim].reduce(1, *)
        let inner = shape[(slice.dim + 1)...].reduce(1, *)
        var result: [(full: Range<Int>, local: Int)] = []
        var local = 0
        for row in 0..<outer {
            for range in slice.ranges where !range.isEmpty && inner > 0 {
                let start = (row * shape[slice.dim] + range.lowerBound) * inner
                result.append((start..<(start + range.count * inner), local))
                local += range.count * inner
            }
        }
        return result
    }
}
