/// Receives a shard's tensors, plain or compressed, straight into their slots: same-dtype tensors
/// are read or decoded directly into the slot's memory, others arrive in chunks converted element
/// by element into place (the one conversion path of a load); tensors the plan does not use, or
/// uses as views, are skipped. A cancelled load stops at the next tensor or chunk.
struct SlotSink: TensorSink {
    struct Target: Sendable {
        var storage: TensorStorage
        var piece: LoadPlan.Piece
        var slotDType: DType
    }

    /// Per stored tensor, the slots it fills: one, or several chunks of it (`.split`, a
    /// tensor-parallel slice's rows), sorted by where they start in the tensor.
    let targets: [String: [Target]]
    /// Per stored tensor, the furthest end (in the stored tensor's data) of its targets up to each
    /// one: non-decreasing, so a chunk finds its first target by binary search.
    let reaches: [String: [Int]]
    let cancellation: LoadCancellation?
    /// Told of every run of bytes in place, for progress within a shard.
    let progress: (@Sendable (Int) -> Void)?

    init(copies: [(slot: Int, piece: LoadPlan.Piece)], owned: [TensorStorage?], slots: [TensorSlot],
         cancellation: LoadCancellation? = nil, progress: (@Sendable (Int) -> Void)? = nil) {
        var targets: [String: [Target]] = [:]
        for (slot, piece) in copies {
            guard let storage = owned[slot] else { continue }
            targets[piece.info.name, default: []].append(Target(storage: storage, piece: piece, slotDType: slots[slot].dtype))
        }
        self.targets = targets.mapValues { $0.sorted { $0.piece.info.dataOffsets.lowerBound < $1.piece.info.dataOffsets.lowerBound } }
        self.reaches = self.targets.mapValues { found in
            var reach = Int.min
            return found.map { target in
                reach = max(reach, target.piece.info.dataOffsets.upperBound)
                return reach
            }
        }
        self.cancellation = cancellation
        self.progress = progress
    }

    func arrived(_ byteCount: Int) {
        progress?(byteCount)
    }

    func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination {
        try cancellation?.check()
        guard let found = targets[info.name] else { return .discard }
        guard found.count == 1, let target = found.first, target.piece.info.dataOffsets == info.dataOffsets,
              target.slotDType == info.dtype else { return .chunks }
        let start = target.piece.slotOffset
        let whole = start == 0 && info.byteCount == target.storage.count
        return .buffer(UnsafeMutableRawBufferPointer(rebasing: target.storage.bytes[start..<(start + info.byteCount)]),
                       room: whole ? target.storage.room : 0)
    }

    /// The stored tensor's bytes the targets cover (a tensor-parallel slice reads only its rows' parts).
    func neededRanges(of info: TensorInfo) -> [Range<Int>]? {
        guard let found = targets[info.name] else { return [] }
        // The targets are sorted by start; touching or overlapping ones make one range.
        let ranges = found.map {
            ($0.piece.info.dataOffsets.lowerBound - info.dataOffsets.lowerBound)..<($0.piece.info.dataOffsets.upperBound
                - info.dataOffsets.lowerBound)
        }
        return ShardReads.runs(ranges, fileStart: 0, unit: 1)
    }

    func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
        try cancellation?.check()
        guard let found = targets[info.name], let reach = reaches[info.name] else { return }
        let sourceWidth = max(info.dtype.bitSize / 8, 1)
        // Skip the targets (sorted by start) all of whose ends lie before the chunk's start.
        var low = 0, high = found.count
        while low < high {
            let middle = (low + high) / 2
            if reach[middle] - info.dataOffsets.lowerBound <= offset {
                low = middle + 1
            } else {
                high = middle
            }
        }
        for target in found[low...] {
            // The part of this chunk inside the target's byte range of the stored tensor.
            let begin = target.piece.info.dataOffsets.lowerBound - info.dataOffsets.lowerBound
            let end = begin + target.piece.info.byteCount
            guard begin < offset + chunk.count else { break }
            let lower = max(offset, begin), upper = min(offset + chunk.count, end)
            guard lower < upper else { continue }
            let targetWidth = target.slotDType.bitSize / 8
            let count = (upper - lower) / sourceWidth
            let start = target.piece.slotOffset + (lower - begin) / sourceWidth * targetWidth
            let destination = UnsafeMutableRawBufferPointer(rebasing: target.storage.bytes[start..<(start + count * targetWidth)])
            let source = UnsafeRawBufferPointer(rebasing: chunk[(lower - offset)..<(upper - offset)])
            ElementConversion.convert(source, from: info.dtype, into: destination, to: target.slotDType, count: count)
        }
    }
}
