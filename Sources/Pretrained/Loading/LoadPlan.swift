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
    ///   unless `ignoreMismatchedSizes`; `.unsupportedConversion` for dtypes that cannot be cast.
    init(model: MetaModel, opened: OpenedCheckpoint, ignoreMismatchedSizes: Bool) throws(PretrainedError) {
        let architecture = model.architecture
        let mapper = try KeyMapper(architecture: architecture, hasSlot: { model.index(of: $0) != nil })
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

        for (shard, info) in keys {
            let target = mapper.target(of: info.name)
            guard let index = model.index(of: target.name) else {
                if ignoreUnexpected.matches(target.name) {
                    report.ignored.append(info.name)
                } else {
                    report.unexpected.append(info.name)
                }
                continue
            }
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
            fill.pieces.removeAll { $0.slotOffset == placement.offset }
            fill.pieces.append(Piece(shard: shard, info: info, slotOffset: placement.offset))
            fills[index] = fill
            if target.converted { sources[index].append(info.name) }
        }

        let mismatchedNames = Set(report.mismatched.map(\.name))
        for (index, slot) in model.slots.enumerated() {
            if !sources[index].isEmpty { report.converted.append(.init(name: slot.name, from: sources[index])) }
            let complete = fills[index]?.isComplete ?? false
            if !complete && !mismatchedNames.contains(slot.name) && !ignoreMissing.matches(slot.name) {
                report.missing.append(slot.name)
            }
        }
        report.unexpected.sort()
        report.ignored.sort()
        report.mismatched.sort { $0.name < $1.name }
        self.fills = fills
        self.report = report
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

/// `transformers`' key order for loading (`dot_natural_key`): dotted parts compared as numbers
/// when both are numeric, else as strings.
enum NaturalOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        less(parts(a), parts(b))
    }

    /// `items` sorted by `name` in this order (stable), each name split once rather than at
    /// every comparison (which made sorting long names cost allocations per comparison).
    static func sorted<T>(_ items: [T], by name: (T) -> String) -> [T] {
        let keyed = items.map { (item: $0, parts: parts(name($0))) }
        return keyed.sorted { less($0.parts, $1.parts) }.map(\.item)
    }

    /// A name's components, each with its value when it is a number.
    static func parts(_ name: String) -> [(text: Substring, number: Int?)] {
        name.split(separator: ".", omittingEmptySubsequences: false).map { ($0, Int($0)) }
    }

    static func less(_ a: [(text: Substring, number: Int?)], _ b: [(text: Substring, number: Int?)]) -> Bool {
        var left = a.makeIterator()
        var right = b.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?):
                if x.text == y.text { continue }
                if let m = x.number, let n = y.number { return m < n }
                if x.number != nil { return true }
                if y.number != nil { return false }
                return x.text < y.text
            }
        }
    }
}
