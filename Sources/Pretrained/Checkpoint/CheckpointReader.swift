import Dispatch
import Synchronization

/// Reads the bytes a `LoadPlan` calls for, shard by shard, into slot storages: a zero-copy view
/// of the mapped shard when the tensor already has the slot's dtype and is aligned (and no copy
/// was asked for), otherwise an owned copy or an element conversion straight into the slot.
struct CheckpointReader: Sendable {
    /// The largest buffer used to stage `pread` data before converting it: conversions never
    /// hold a second full copy of a tensor.
    static let conversionWindow = 4 << 20

    let model: MetaModel
    let headers: CheckpointHeaders
    let plan: LoadPlan
    let options: LoadOptions

    /// The storage of every slot (indexed like `model.slots`); slots without a complete fill are
    /// zero-filled owned memory (missing pieces stay zero).
    func read() throws(PretrainedError) -> [TensorStorage] {
        var storages = [TensorStorage?](repeating: nil, count: model.slots.count)
        var viewsByShard = [[Int]](repeating: [], count: headers.entries.count)
        var copiesByShard = [[(slot: Int, piece: LoadPlan.Piece)]](repeating: [], count: headers.entries.count)
        for (index, slot) in model.slots.enumerated() {
            let device = options.deviceMap?.device(of: slot.name)
            guard let fill = plan.fills[index] else {
                storages[index] = try destination(for: slot, on: device, zeroed: true)
                continue
            }
            if let piece = fill.pieces.first, canView(piece, slot: slot, fill: fill, on: device) {
                viewsByShard[piece.shard].append(index)
                continue
            }
            storages[index] = try destination(for: slot, on: device, zeroed: !fill.isComplete)
            for piece in fill.pieces { copiesByShard[piece.shard].append((index, piece)) }
        }

        let owned = storages
        let views = viewsByShard
        let copies = copiesByShard
        let results = Mutex([Int: Result<[(Int, TensorStorage)], PretrainedError>]())
        let progress = ProgressCounter(headers: headers, callback: options.progress)
        let work: @Sendable (Int) -> Void = { shard in
            let result = Result { () throws(PretrainedError) in
                try readShard(shard, views: views[shard], copies: copies[shard], owned: owned)
            }
            results.withLock { $0[shard] = result }
            progress.shardDone(shard)
        }
        let shards = headers.entries.indices.filter { !viewsByShard[$0].isEmpty || !copiesByShard[$0].isEmpty }
        if options.parallel && shards.count > 1 {
            DispatchQueue.concurrentPerform(iterations: shards.count) { work(shards[$0]) }
        } else {
            shards.forEach(work)
        }
        let finished = results.withLock { $0 }
        for shard in shards {
            guard let result = finished[shard] else { continue }
            for (index, storage) in try result.get() { storages[index] = storage }
        }
        return storages.map { $0 ?? TensorStorage(uninitializedByteCount: 0) }
    }

    /// Whether `piece` can be the slot itself: the whole slot, same dtype, mapped, aligned, and
    /// not placed where it must be materialized (`cpu` and accelerators; `disk` stays a view even
    /// with `copy`, as do unplaced slots without it).
    func canView(_ piece: LoadPlan.Piece, slot: TensorSlot, fill: LoadPlan.Fill, on device: Device?) -> Bool {
        let lazy = device == .disk || (device == nil && !options.copy)
        guard lazy, options.backend == .mmap, headers.entries[piece.shard].compressed == nil,
              fill.pieceCount == 1, fill.isComplete,
              piece.info.dtype == slot.dtype else { return false }
        let offset = headers.entries[piece.shard].header.dataStart + piece.info.dataOffsets.lowerBound
        return offset % max(1, min(slot.dtype.bitSize / 8, 8)) == 0
    }

    /// Reads one shard: views for `views`, copies or conversions into `owned` for `copies`.
    func readShard(_ shard: Int, views: [Int], copies: [(slot: Int, piece: LoadPlan.Piece)],
                   owned: [TensorStorage?]) throws(PretrainedError) -> [(Int, TensorStorage)] {
        let entry = headers.entries[shard]
        if let compressed = entry.compressed {
            try compressed.read(into: SlotSink(copies: copies, owned: owned, slots: model.slots))
            return []
        }
        let file = try SafetensorsFile(path: entry.shard.path, backend: options.backend)
        guard file.fileSize == entry.fileSize else { throw .shardChanged(file: entry.shard.path) }
        var result: [(Int, TensorStorage)] = []
        if let mapped = file.mappedFile {
            if !copies.isEmpty {
                mapped.advise(.sequential)
                mapped.advise(.willNeed)
            }
            for index in views {
                guard let piece = plan.fills[index]?.pieces.first else { continue }
                result.append((index, TensorStorage(viewing: mapped, range: file.fileRange(of: piece.info))))
            }
            for (index, piece) in copies {
                let range = file.fileRange(of: piece.info)
                let source = UnsafeRawBufferPointer(rebasing: mapped.bytes[range])
                if let destination = owned[index] { place(source, piece: piece, into: destination, slot: model.slots[index]) }
                // Drop the copied pages from this process (they stay in the page cache, and views
                // of this shard fault them back in from the file): a copy load then peaks at the
                // copies' size, not copies plus mapped shards.
                mapped.advise(.dontNeed, range: range)
            }
            // A file shrunk under the mapping would fault on access: refuse to hand out views of it.
            guard mapped.isIntact else { throw .shardChanged(file: entry.shard.path) }
        } else {
            for (index, piece) in copies {
                guard let destination = owned[index] else { continue }
                try readAndPlace(piece, from: file, into: destination, slot: model.slots[index])
            }
        }
        return result
    }

    /// Copies or converts `source` (a whole checkpoint tensor) into its place in `destination`.
    func place(_ source: UnsafeRawBufferPointer, piece: LoadPlan.Piece, into destination: TensorStorage, slot: TensorSlot) {
        let count = piece.info.elementCount
        let size = slot.dtype.byteCount(elements: count) ?? 0
        let target = UnsafeMutableRawBufferPointer(rebasing: destination.bytes[piece.slotOffset..<(piece.slotOffset + size)])
        ElementConversion.convert(source, from: piece.info.dtype, into: target, to: slot.dtype, count: count)
    }

    /// The `pread` path: reads straight into the slot when dtypes match, else through a bounded
    /// window converted chunk by chunk.
    func readAndPlace(_ piece: LoadPlan.Piece, from file: SafetensorsFile, into destination: TensorStorage,
                      slot: TensorSlot) throws(PretrainedError) {
        guard case .descriptor(let descriptor) = file.source else { return }
        let range = file.fileRange(of: piece.info)
        let sourceSize = piece.info.dtype.bitSize / 8
        let targetSize = slot.dtype.bitSize / 8
        if piece.info.dtype == slot.dtype {
            let target = UnsafeMutableRawBufferPointer(rebasing: destination.bytes[piece.slotOffset..<(piece.slotOffset + range.count)])
            try descriptor.read(into: target, at: range.lowerBound)
            return
        }
        let perChunk = max(1, Self.conversionWindow / sourceSize)
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: min(range.count, perChunk * sourceSize), alignment: 16)
        defer { window.deallocate() }
        var element = 0
        let total = piece.info.elementCount
        while element < total {
            let count = min(perChunk, total - element)
            let chunk = UnsafeMutableRawBufferPointer(rebasing: window[0..<(count * sourceSize)])
            try descriptor.read(into: chunk, at: range.lowerBound + element * sourceSize)
            let start = piece.slotOffset + element * targetSize
            let target = UnsafeMutableRawBufferPointer(rebasing: destination.bytes[start..<(start + count * targetSize)])
            ElementConversion.convert(UnsafeRawBufferPointer(chunk), from: piece.info.dtype, into: target, to: slot.dtype, count: count)
            element += count
        }
    }

    /// Owned memory for `slot`, or the allocator's for an accelerator placement; zero-filled when
    /// the checkpoint does not cover all of it.
    func destination(for slot: TensorSlot, on device: Device?, zeroed: Bool) throws(PretrainedError) -> TensorStorage {
        guard case .accelerator(let ordinal)? = device else {
            return try TensorStorage.allocate(byteCount: slot.byteCount, zeroed: zeroed, tensor: slot.name)
        }
        let storage = try options.allocator.allocate(slot, device: ordinal)
        guard storage.count == slot.byteCount else {
            throw .invalidTensorData(tensor: slot.name, reason: "the allocator returned \(storage.count) bytes for a "
                + "\(slot.byteCount)-byte slot on device \(ordinal)")
        }
        if zeroed, storage.count > 0 { storage.bytes.initializeMemory(as: UInt8.self, repeating: 0) }
        return storage
    }

}

/// Counts shards and bytes as they finish and forwards them to the caller's progress callback.
private final class ProgressCounter: Sendable {
    private let state = Mutex((shards: 0, bytes: 0))
    private let headers: CheckpointHeaders
    private let callback: (@Sendable (LoadProgress) -> Void)?
    private let totalBytes: Int

    init(headers: CheckpointHeaders, callback: (@Sendable (LoadProgress) -> Void)?) {
        self.headers = headers
        self.callback = callback
        self.totalBytes = headers.totalBytes
    }

    func shardDone(_ shard: Int) {
        guard let callback else { return }
        let entry = headers.entries[shard]
        let bytes = entry.header.dataLength
        let (shards, done) = state.withLock { state in
            state.shards += 1
            state.bytes += bytes
            return (state.shards, state.bytes)
        }
        callback(LoadProgress(shard: entry.shard.name, shardsDone: shards, shardCount: headers.entries.count,
                              bytesDone: done, totalBytes: totalBytes))
    }
}
