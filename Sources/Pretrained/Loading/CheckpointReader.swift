import Synchronization

/// Reads the bytes a `LoadPlan` calls for, shard by shard, into slot storages: a zero-copy view
/// of the mapped shard when the tensor already has the slot's dtype and is aligned (and no copy
/// was asked for), otherwise an owned copy or an element conversion straight into the slot.
struct CheckpointReader: Sendable {
    let model: MetaModel
    let opened: OpenedCheckpoint
    let plan: LoadPlan
    let options: LoadOptions

    /// The storage of every slot (indexed like `model.slots`); slots without a complete fill are
    /// zero-filled owned memory (missing pieces stay zero), except slots tying will fill from the
    /// other side of their pair, which get no memory of their own (the finalizer shares it).
    ///
    /// - Throws: `unprovidedSlotsTooLarge` or `memoryBudgetExceeded` before the first allocation
    ///   when the slots' memory is over the limits (`checkMemory`); `allocationFailed` when an
    ///   allocation fails anyway.
    func read() throws(PretrainedError) -> [TensorStorage] {
        var storages = [TensorStorage?](repeating: nil, count: model.slots.count)
        var viewsByShard = [[Int]](repeating: [], count: opened.shards.count)
        var copiesByShard = [[(slot: Int, piece: LoadPlan.Piece)]](repeating: [], count: opened.shards.count)
        var allocations: [(slot: Int, device: Device?, zeroed: Bool, placedFor: Int?)] = []
        let direct = directReads()
        let filledByTying = slotsFilledByTying()
        var need = MemoryNeed()
        for (index, slot) in model.slots.enumerated() {
            let device = options.deviceMap?.device(of: slot.name)
            guard let fill = plan.fills[index] else {
                if filledByTying.contains(index) { continue }
                allocations.append((index, device, true, nil))
                need.add(slot.byteCount, unprovided: true, host: !(device?.isAccelerator ?? false))
                continue
            }
            if let piece = fill.pieces.first, canView(piece, slot: slot, fill: fill, on: device) {
                viewsByShard[piece.shard].append(index)
                continue
            }
            allocations.append((index, device, !fill.isComplete, directReadOffset(of: fill, slot: slot, direct: direct)))
            need.add(slot.byteCount, unprovided: !fill.isComplete, host: !(device?.isAccelerator ?? false))
            for piece in fill.pieces { copiesByShard[piece.shard].append((index, piece)) }
        }
        try checkMemory(need)
        for (index, device, zeroed, placedFor) in allocations {
            storages[index] = try destination(for: model.slots[index], on: device, zeroed: zeroed, placedFor: placedFor)
        }

        let progress = ProgressCounter(opened: opened, callback: options.progress)
        for (index, storage) in try readPlainShards(views: viewsByShard, copies: copiesByShard, owned: storages,
                                                    direct: direct, progress: progress) {
            storages[index] = storage
        }
        try readCompressedShards(copies: copiesByShard, owned: storages, progress: progress)
        return storages.map { $0 ?? TensorStorage.empty }
    }

    /// How many reads of plain shards are in flight at once: more than the cores, because a
    /// thread waiting for the device costs nothing (see BENCHMARKS.md, "Cold start").
    static let readThreads = 4

    /// How many reads are in flight when a reading thread costs the CPU next to nothing: a
    /// tensor-parallel rank's slices (many small reads, a part of each row, whose time is the
    /// device's latency, not its bandwidth), or direct reads (the device writes the slots; 16 in
    /// flight took a cold load from 0.70-0.75 s to 0.65-0.67 s, as deep as `io_uring` at 16, see
    /// BENCHMARKS.md, "Reads in flight").
    static let deepReadThreads = 16

    /// Views of the mapped plain shards, and every copy out of them read by `readThreads` threads
    /// in file order across all shards (`ShardReads`), straight into the slots.
    ///
    /// Read-ahead advice follows the reads: a shard read whole is `sequential` (read-ahead helps
    /// a cold file), a shard read in slices (a tensor-parallel rank) is `random`, so that the
    /// kernel reads the rank's pages and not the neighbours' around them. Direct reads (`direct`,
    /// from `directReads()`) bypass the page cache and take no advice.
    func readPlainShards(views: [[Int]], copies: [[(slot: Int, piece: LoadPlan.Piece)]], owned: [TensorStorage?],
                         direct: [ShardReads.DirectReads], progress: ProgressCounter) throws(PretrainedError)
        -> [(Int, TensorStorage)] {
        var result: [(Int, TensorStorage)] = []
        var reads: [ShardReads] = [], readShards: [Int] = [], mapped: [(MappedFile, String)] = []
        for (shard, opened) in opened.shards.enumerated() {
            guard case .plain(let file) = opened.contents, !views[shard].isEmpty || !copies[shard].isEmpty else { continue }
            if let mapping = file.mappedFile, !views[shard].isEmpty {
                mapped.append((mapping, file.path))
                for index in views[shard] {
                    guard let piece = plan.fills[index]?.pieces.first else { continue }
                    result.append((index, TensorStorage(viewing: mapping, range: file.fileRange(of: piece.info))))
                }
            }
            guard !copies[shard].isEmpty else {
                progress.shardDone(shard)
                continue
            }
            let sink = SlotSink(copies: copies[shard], owned: owned, slots: model.slots, cancellation: options.cancellation,
                                progress: progress.arrivals(in: shard))
            let planned = try ShardReads(file: file, sink: sink, direct: direct[shard])
            if !planned.isDirect { file.descriptor.advise(planned.isSparse ? .random : .sequential) }
            reads.append(planned)
            readShards.append(shard)
        }
        let cancellation = options.cancellation, shardOfReads = readShards
        let deep = reads.contains(where: \.isSparse) || (!reads.isEmpty && reads.allSatisfy(\.isDirect))
        let threads = deep ? Self.deepReadThreads : Self.readThreads
        try ShardReads.run(reads, threads: options.parallel ? threads : 1,
                           check: { () throws(PretrainedError) in try cancellation?.check() },
                           shardDone: { progress.shardDone(shardOfReads[$0]) })
        // A file shrunk under the mapping reads as zeros past its end: refuse views of it, and
        // conversions read from it.
        for (mapping, path) in mapped where !mapping.isIntact { throw .shardChanged(file: path) }
        for planned in reads where planned.mapping?.isIntact == false { throw .shardChanged(file: planned.path) }
        return result
    }

    /// Decodes the copies out of compressed shards (shards on separate cores, and frames too).
    func readCompressedShards(copies: [[(slot: Int, piece: LoadPlan.Piece)]], owned: [TensorStorage?],
                              progress: ProgressCounter) throws(PretrainedError) {
        let shards = opened.shards.indices.filter { opened.shards[$0].compressed != nil && !copies[$0].isEmpty }
        let work = { (position: Int) -> Result<Void, PretrainedError> in
            let shard = shards[position]
            return Result { () throws(PretrainedError) in
                try options.cancellation?.check()
                let sink = SlotSink(copies: copies[shard], owned: owned, slots: model.slots,
                                    cancellation: options.cancellation, progress: progress.arrivals(in: shard))
                try opened.shards[shard].compressed?.read(into: sink)
                progress.shardDone(shard)
            }
        }
        let results = options.parallel ? Parallel.map(shards.count, work) : shards.indices.map(work)
        for result in results { try result.get() }
    }

    /// Memory a load will allocate, saturating instead of overflowing.
    struct MemoryNeed {
        /// Every allocated slot's bytes.
        var total = 0
        /// The bytes of slots the checkpoint does not (completely) provide.
        var unprovided = 0
        /// The bytes of this process's memory (all but the allocator's for accelerator placements).
        var host = 0

        mutating func add(_ bytes: Int, unprovided isUnprovided: Bool, host isHost: Bool) {
            total = Self.sum(total, bytes)
            if isUnprovided { unprovided = Self.sum(unprovided, bytes) }
            if isHost { host = Self.sum(host, bytes) }
        }

        static func sum(_ a: Int, _ b: Int) -> Int {
            let (value, overflow) = a.addingReportingOverflow(b)
            return overflow ? Int.max : value
        }
    }

    /// Refuses a load whose allocations are over what the checkpoint justifies for the slots it
    /// does not provide, over the caller's budget, or over what the address-space limit leaves.
    func checkMemory(_ need: MemoryNeed) throws(PretrainedError) {
        let checkpointBytes = opened.totalBytes
        let limit = options.unprovidedBytesLimit ?? LoadOptions.defaultUnprovidedLimit(checkpointBytes: checkpointBytes)
        if need.unprovided > limit {
            throw .unprovidedSlotsTooLarge(bytes: need.unprovided, limit: limit, checkpointBytes: checkpointBytes)
        }
        if let budget = options.memoryBudget, need.total > budget {
            throw .memoryBudgetExceeded(bytes: need.total, budget: budget, addressSpace: false)
        }
        if let available = AddressSpace.available, need.host > available {
            throw .memoryBudgetExceeded(bytes: need.host, budget: available, addressSpace: true)
        }
    }

    /// Slots the checkpoint lacks entirely that tying will fill from the other side of their pair
    /// (as the finalizer's `Tying.tie` will, run here on placeholders): they need no memory.
    func slotsFilledByTying() -> Set<Int> {
        let pairs = Finalizer.slotPairs(of: model)
        guard !pairs.isEmpty else { return [] }
        let absent = plan.absentSlots(of: model)
        var missing: Set<Int>? = absent
        var placeholders = [TensorStorage](repeating: TensorStorage.empty, count: model.slots.count)
        _ = Tying.tie(pairs, storages: &placeholders, missing: &missing)
        return absent.subtracting(missing ?? []).filter { plan.fills[$0] == nil }
    }

    /// Whether `piece` can be the slot itself: the whole slot, same dtype, mapped, aligned, and
    /// not placed where it must be materialized (`cpu` and accelerators; `disk` stays a view even
    /// with `copy`, as do unplaced slots without it).
    func canView(_ piece: LoadPlan.Piece, slot: TensorSlot, fill: LoadPlan.Fill, on device: Device?) -> Bool {
        let lazy = device == .disk || (device == nil && !options.copy)
        guard lazy, case .plain(let file) = opened.shards[piece.shard].contents, file.mappedFile != nil,
              fill.pieceCount == 1, fill.isComplete,
              piece.info.dtype == slot.dtype else { return false }
        let offset = file.header.dataStart + piece.info.dataOffsets.lowerBound
        return offset % max(1, min(slot.dtype.bitSize / 8, 8)) == 0
    }

    /// Which reads of each shard bypass the page cache, under `LoadOptions.directIO`
    /// (`ShardReads.DirectReads.init(_:file:)`); none for compressed shards.
    func directReads() -> [ShardReads.DirectReads] {
        opened.shards.map { shard in
            guard case .plain(let file) = shard.contents else { return .never }
            return ShardReads.DirectReads(options.directIO, file: file)
        }
    }

    /// For a shard read directly (`direct`), the file offset of the stored tensor that fills `slot`
    /// whole and as stored from a plain shard: its memory is then placed so that direct reads land
    /// in it (`TensorStorage.allocate(placedFor:room:)`), with no staging copy; `nil` otherwise.
    func directReadOffset(of fill: LoadPlan.Fill, slot: TensorSlot, direct: [ShardReads.DirectReads]) -> Int? {
        guard fill.pieceCount == 1, fill.isComplete, let piece = fill.pieces.first, direct[piece.shard] != .never,
              piece.info.dtype == slot.dtype, piece.info.byteCount == slot.byteCount,
              case .plain(let file) = opened.shards[piece.shard].contents else { return nil }
        return file.fileRange(of: piece.info).lowerBound
    }

    /// Owned memory for `slot`, or the allocator's for an accelerator placement; zero-filled when
    /// the checkpoint does not cover all of it; placed for direct reads of the tensor at file
    /// offset `placedFor` when given.
    func destination(for slot: TensorSlot, on device: Device?, zeroed: Bool,
                     placedFor: Int? = nil) throws(PretrainedError) -> TensorStorage {
        guard case .accelerator(let ordinal)? = device else {
            if let placedFor {
                return try TensorStorage.allocate(byteCount: slot.byteCount, zeroed: zeroed, tensor: slot.name,
                                                  placedFor: placedFor, room: pageSize)
            }
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

/// Counts shards and bytes as they arrive and forwards them to the caller's progress callback:
/// within a shard as its copied tensors arrive, and once more when the shard is done (its bytes
/// then count in full, views included).
final class ProgressCounter: Sendable {
    private struct State {
        var shards = 0
        var bytes = 0
        /// Bytes counted so far for each shard not yet done.
        var arrived: [Int: Int] = [:]
    }

    private let state = Mutex(State())
    private let opened: OpenedCheckpoint
    private let callback: (@Sendable (LoadProgress) -> Void)?
    private let totalBytes: Int

    init(opened: OpenedCheckpoint, callback: (@Sendable (LoadProgress) -> Void)?) {
        self.opened = opened
        self.callback = callback
        self.totalBytes = opened.totalBytes
    }

    /// The per-chunk hook for `shard`'s sink, or `nil` without a callback. A shard counts at most
    /// its own bytes (a slice's reads may fetch a little around the rank's parts).
    func arrivals(in shard: Int) -> (@Sendable (Int) -> Void)? {
        guard callback != nil else { return nil }
        let length = opened.shards[shard].header.dataLength
        return { [self] byteCount in
            state.withLock { state in
                let counted = min(byteCount, max(0, length - state.arrived[shard, default: 0]))
                state.arrived[shard, default: 0] += counted
                state.bytes += counted
                report(shard, shards: state.shards, bytes: state.bytes)
            }
        }
    }

    func shardDone(_ shard: Int) {
        guard callback != nil else { return }
        let length = opened.shards[shard].header.dataLength
        state.withLock { state in
            state.shards += 1
            state.bytes += max(0, length - (state.arrived.removeValue(forKey: shard) ?? 0))
            report(shard, shards: state.shards, bytes: state.bytes)
        }
    }

    /// Calls the callback; under the lock, so that reports from several reading threads arrive
    /// one at a time and in order (their counts never go back).
    private func report(_ shard: Int, shards: Int, bytes: Int) {
        callback?(LoadProgress(shard: opened.shards[shard].shard.name, shardsDone: shards,
                               shardCount: opened.shards.count, bytesDone: min(bytes, totalBytes), totalBytes: totalBytes))
    }
}
