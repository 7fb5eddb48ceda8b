/// Which checkpoint tensor fills which slot, worked out from headers alone before a byte of
/// tensor data is read: every key error is known before the first copy.
struct LoadPlan: Sendable {
    /// One checkpoint tensor's contribution to a slot.
    struct Piece: Sendable {
        /// Index into `OpenedCheckpoint.shards`.
        var shard: Int
        var info: TensorInfo
        /// Byte offset of this piece inside the slot, at the slot's dtype.
        var slotOffset: Int
    }

    /// How a slot is filled.
    struct Fill: Sendable {
        var pieces: [Piece]
        /// How many pieces complete the slot (1, or experts x sources for a merged slot).
        var pieceCount: Int
        var isComplete: Bool { pieces.count == pieceCount }
    }

    /// Per slot (indexed like `MetaModel.slots`), its fill, or `nil` when the checkpoint lacks it.
    var fills: [Fill?]
    /// The report so far: unexpected, ignored, mismatched, converted, and missing before tying.
    var report: LoadReport

    /// Plans loading the tensors of `opened` into `model`.
    ///
    /// - Throws: `PretrainedError.shapeMismatch` for the first shape conflict (in key order)
    ///   unless `ignoreMismatchedSizes`; `.unsupportedConversion` for dtypes that cannot be cast;
    ///   `.invalidKeyMapping` for a user pattern that does not compile; `.keysCollide` when two
    ///   checkpoint keys fill the same slot (or the same block of a merged slot).
    init(model: MetaModel, opened: OpenedCheckpoint, ignoreMismatchedSizes: Bool,
         keyMapping: [(pattern: String, replacement: String)] = []) throws(PretrainedError) {
        let architecture = model.architecture
        let mapper = try KeyMapper(architecture: architecture, keyMapping: keyMapping,
                                   hasSlot: { model.index(of: $0) != nil })
        let ignoreUnexpected = try KeyPatterns(architecture.ignoreOnLoadUnexpected, architecture: architecture.name)
        let ignoreMissing = try KeyPatterns(architecture.ignoreOnLoadMissing, architecture: architecture.name)

        var fills = [Fill?](repeating: nil, count: model.slots.count)
        var report = LoadReport()
        var sources = [[String]](repeating: [], count: model.slots.count)
        var keys: [(shard: Int, info: TensorInfo)] = []
        for (shard, entry) in opened.shards.enumerated() {
            keys += entry.header.tensors.map { (shard, $0) }
        }
        keys = NaturalOrder.sorted(keys) { $0.info.name }

        for (shard, stored) in keys {
            let targets = mapper.targets(of: stored.name)
            guard targets.contains(where: { model.index(of: $0.name) != nil }) else {
                if ignoreUnexpected.matches(targets[0].name) {
                    report.ignored.append(stored.name)
                } else {
                    report.unexpected.append(stored.name)
                }
                continue
            }
            for target in targets {
                guard let index = model.index(of: target.name) else { continue }
                let info = Self.chunk(stored, target.split)
                let slot = model.slots[index]
                let file = opened.shards[shard].shard.path
                guard ElementConversion.canConvert(info.dtype, to: slot.dtype) else {
                    throw .unsupportedConversion(file: file, tensor: info.name, from: info.dtype, to: slot.dtype)
                }
                let placement = Self.placement(of: target, in: slot)
                guard let placement, placement.shape == info.shape else {
                    let modelShape = placement?.shape ?? slot.shape
                    guard ignoreMismatchedSizes else {
                        throw .shapeMismatch(file: file, tensor: info.name, checkpointShape: info.shape, modelShape: modelShape)
                    }
                    report.mismatched.append(.init(name: target.name, checkpointShape: info.shape, modelShape: modelShape))
                    continue
                }
                var fill = fills[index] ?? Fill(pieces: [], pieceCount: placement.count)
                if let earlier = fill.pieces.first(where: { $0.slotOffset == placement.offset }) {
                    throw .keysCollide(slot: slot.name, first: earlier.info.name, second: info.name)
                }
                fill.pieces.append(Piece(shard: shard, info: info, slotOffset: placement.offset))
                fills[index] = fill
                if target.converted { sources[index].append(info.name) }
            }
        }

        let mismatchedNames = Set(report.mismatched.map(\.name))
        for (index, slot) in model.slots.enumerated() {
            if !sources[index].isEmpty { report.converted.append(.init(name: slot.name, from: sources[index])) }
            let complete = fills[index]?.isComplete ?? false
            if !complete && !mismatchedNames.contains(slot.name) && !ignoreMissing.matches(slot.name) {
                report.missing.append(slot.name)
            }
        }
        report.structureFromCheckpoint = architecture is CheckpointArchitecture
        report.unexpected.sort()
        report.ignored.sort()
        if let type = model.config.modelType, type != architecture.modelType {
            // transformers' PretrainedConfig.from_pretrained says the same when the types differ.
            report.warnings.append("You are using a model of type \(type) to instantiate a model of type "
                + "\(architecture.modelType). This is not supported for all configurations of models and can yield errors.")
        }
        report.mismatched.sort { $0.name < $1.name }
        self.fills = fills
        self.report = report
    }

    /// Chunk `split.index` of `split.count` equal dimension-0 chunks of `info`: the same name, the
    /// chunk's shape and its byte range (`info` itself when not split, or when dimension 0 does not
    /// divide: the shape check then reports the whole tensor).
    static func chunk(_ info: TensorInfo, _ split: (index: Int, count: Int)?) -> TensorInfo {
        guard let split, let rows = info.shape.first, rows % split.count == 0 else { return info }
        let bytes = info.byteCount / split.count
        let start = info.dataOffsets.lowerBound + split.index * bytes
        return TensorInfo(name: info.name, dtype: info.dtype, shape: [rows / split.count] + info.shape.dropFirst(),
                          dataOffsets: start..<(start + bytes))
    }

    /// Slots reinitialized at their model shape after a shape mismatch (`ignoreMismatchedSizes`):
    /// `transformers` counts them as present, not missing.
    func reinitializedSlots(of model: MetaModel) -> Set<Int> {
        Set(report.mismatched.compactMap { model.index(of: $0.name) })
    }

    /// The slots tying treats as missing (`transformers`' missing keys): not completely filled by
    /// the checkpoint, and not reinitialized. The reader's prediction of what tying fills and the
    /// finalizer's tying both start from this set, so they agree.
    func absentSlots(of model: MetaModel) -> Set<Int> {
        Set(fills.indices.filter { !(fills[$0]?.isComplete ?? false) }).subtracting(reinitializedSlots(of: model))
    }

    /// Where a key's tensor goes in `slot`: its expected shape, byte offset, and the number of
    /// pieces that complete the slot; `nil` when a merged key does not fit the slot at all.
    static func placement(of target: KeyMapper.Target, in slot: TensorSlot) -> (shape: [Int], offset: Int, count: Int)? {
        guard let merge = target.merge else { return (slot.shape, 0, 1) }
        guard slot.shape.count >= 2, slot.shape[1] % merge.sourceCount == 0, merge.expert < slot.shape[0] else { return nil }
        let shape = [slot.shape[1] / merge.sourceCount] + slot.shape[2...]
        let pieceBytes = slot.dtype.byteCount(elements: shape.reduce(1, *)) ?? 0
        let block = merge.expert * merge.sourceCount + merge.source
        return (shape, block * pieceBytes, slot.shape[0] * merge.sourceCount)
    }
}
