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

    let targets: [String: Target]
    let cancellation: LoadCancellation?

    init(copies: [(slot: Int, piece: LoadPlan.Piece)], owned: [TensorStorage?], slots: [TensorSlot],
         cancellation: LoadCancellation? = nil) {
        var targets: [String: Target] = [:]
        for (slot, piece) in copies {
            guard let storage = owned[slot] else { continue }
            targets[piece.info.name] = Target(storage: storage, piece: piece, slotDType: slots[slot].dtype)
        }
        self.targets = targets
        self.cancellation = cancellation
    }

    func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination {
        try cancellation?.check()
        guard let target = targets[info.name] else { return .discard }
        guard target.slotDType == info.dtype else { return .chunks }
        let start = target.piece.slotOffset
        return .buffer(UnsafeMutableRawBufferPointer(rebasing: target.storage.bytes[start..<(start + info.byteCount)]))
    }

    func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
        try cancellation?.check()
        guard let target = targets[info.name] else { return }
        let sourceWidth = info.dtype.bitSize / 8
        let targetWidth = target.slotDType.bitSize / 8
        let count = chunk.count / max(sourceWidth, 1)
        let start = target.piece.slotOffset + offset / max(sourceWidth, 1) * targetWidth
        let destination = UnsafeMutableRawBufferPointer(rebasing: target.storage.bytes[start..<(start + count * targetWidth)])
        ElementConversion.convert(chunk, from: info.dtype, into: destination, to: target.slotDType, count: count)
    }
}
