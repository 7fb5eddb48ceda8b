import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reads that deliver a plain shard's tensors into a sink, planned before any byte is read:
/// each a range of the file, read with `pread` straight into a destination buffer, or into a
/// staging window and handed to the sink. Reads run in file order over several threads
/// (`ShardReads.run`), so that the device always has requests in flight.
///
/// ```swift
/// let reads = try ShardReads(file: file, sink: sink)
/// try ShardReads.run([reads], threads: 4)
/// ```
package struct ShardReads: Sendable {
    /// One `pread` of `length` bytes at `fileOffset`.
    struct Read: Sendable {
        enum Target: @unchecked Sendable {
            /// Straight into this memory (a slot of the stored dtype); `room` as `TensorDestination.buffer`'s.
            case memory(UnsafeMutableRawPointer, room: Int)
            /// Into a staging window, then to the sink as the bytes of `info` from `offset` on.
            case sink(TensorInfo, offset: Int)
        }

        var fileOffset: Int
        var length: Int
        var target: Target

        /// Whether the bytes go to the sink (a conversion, a slice) rather than straight into memory.
        var goesToSink: Bool { if case .sink = target { true } else { false } }
    }

    /// The largest single read: large enough that a read costs one request to the device, small
    /// enough that a staging window per thread stays small and that threads share a tensor.
    package static let readSize = 8 << 20

    /// Which of a shard's reads bypass the page cache (`DirectFile`).
    package enum DirectReads: Sendable {
        /// None: every read through the page cache.
        case never
        /// Every read, wherever the file system allows.
        case always
        /// The reads that land in their slots as stored (whole tensors of the slot's dtype); the
        /// reads handed to the sink (conversions, a rank's slices) go through the page cache.
        case inPlaceOnly

        /// The reads of `file` under `policy`: `DirectIO.automatic` reads a plain shard's tensors
        /// into place directly (`inPlaceOnly`) when the page cache holds at most
        /// `DirectIO.cachedFractionForDirect` of its tensor data (`cachestat(2)`), and through the
        /// cache when it holds more or the system cannot tell.
        package init(_ policy: DirectIO, file: SafetensorsFile) {
            switch policy {
            case .never: self = .never
            case .always: self = .always
            case .automatic:
                let data = file.header.dataStart..<(file.header.dataStart + file.header.dataLength)
                guard let cached = file.descriptor.cachedBytes(in: data),
                      Double(cached) <= DirectIO.cachedFractionForDirect * Double(data.count) else {
                    self = .never
                    return
                }
                self = .inPlaceOnly
            }
        }
    }

    /// How many reads ahead of the one it starts each thread asks the kernel to read into the page
    /// cache (`POSIX_FADV_WILLNEED`), for `pread`s through the page cache: so that the device has
    /// requests queued beyond the ones threads are waiting for (up to 256 MiB ahead).
    static let readAhead = 32

    /// The largest block size direct reads are used with (each read is widened by up to one
    /// block at each end, into a staging window with that much room).
    static let largestDirectAlignment = 64 << 10

    let path: String
    let descriptor: FileDescriptor
    /// The file open for direct reads, when they were asked for and the system can do them.
    let direct: DirectFile?
    /// Whether the reads handed to the sink (conversions, slices) are direct too (with `direct`).
    let sinkReadsDirect: Bool
    /// The mapping conversions read from, when the shard is mapped and read whole: a chunk to
    /// convert is then read where it lies, without a staging copy (a warm F32 load of bf16 weights
    /// is a third faster than through a window), and dropped from the process once converted.
    let mapping: MappedFile?
    let sink: any TensorSink
    let reads: [Read]
    /// Whether the reads skip parts of the file's tensors (a slice of each), so that read-ahead
    /// past a read would fetch bytes nobody asked for.
    package let isSparse: Bool

    /// Whether every read bypasses the page cache (so that read-ahead advice is moot).
    package var isDirect: Bool {
        direct != nil && (sinkReadsDirect || !reads.contains(where: \.goesToSink))
    }

    /// Whether `read` is a `pread` through the page cache (not direct, not from the mapping).
    func isBufferedRead(_ read: Read) -> Bool {
        read.goesToSink ? mapping == nil && !sinkReadsDirect : direct == nil
    }

    /// Plans the reads of `file`'s tensors into `sink`: asks the sink for each tensor's
    /// destination in offset order (on the calling thread), then splits what it wants into reads
    /// of at most `readSize` bytes.
    ///
    /// A `.chunks` destination that needs only parts of a tensor (`neededRanges`, a
    /// tensor-parallel slice) gets one read per run of parts whose pages touch: the bytes between
    /// two parts on pages the kernel reads anyway are read too (and ignored by the sink) instead
    /// of costing a system call per part; pages that hold no needed byte are never read.
    ///
    /// - Parameters:
    ///   - direct: which reads use `O_DIRECT` (`DirectFile`) where the system can: the device's
    ///     blocks (often 512 bytes) instead of pages are then the unit, and nothing stays in the
    ///     page cache. Buffered where it cannot.
    /// - Throws: whatever the sink's `destination(for:)` throws.
    package init(file: SafetensorsFile, sink: some TensorSink, direct: DirectReads = .never) throws(PretrainedError) {
        var wanted: [(info: TensorInfo, range: Range<Int>, memory: (UnsafeMutableRawPointer, room: Int)?,
                      parts: [Range<Int>])] = []
        var sparse = false
        for info in file.header.tensors {
            let range = file.fileRange(of: info)
            switch try sink.destination(for: info) {
            case .discard:
                continue
            case .buffer(let buffer, let room):
                if let base = buffer.baseAddress { wanted.append((info, range, (base, room), [0..<range.count])) }
            case .chunks:
                let parts = sink.neededRanges(of: info)?.map { $0.clamped(to: 0..<range.count) }.filter { !$0.isEmpty }
                    ?? [0..<range.count]
                if parts.reduce(0, { $0 + $1.count }) < range.count { sparse = true }
                wanted.append((info, range, nil, parts))
            }
        }
        // The direct file is opened only for reads that will use it: under `inPlaceOnly`, those
        // into memory (a shard of conversions or slices alone keeps to the page cache).
        let usesDirect = direct == .always || (direct == .inPlaceOnly && wanted.contains { $0.memory != nil })
        let directFile = usesDirect ? DirectFile(path: file.path).flatMap {
            $0.offsetAlignment <= Self.largestDirectAlignment && $0.memoryAlignment <= pageSize ? $0 : nil
        } : nil
        let sinkReadsDirect = directFile != nil && direct == .always
        // Parts are joined by the unit their reads fetch: the device's blocks when they are read
        // directly, pages when they go through the page cache.
        let unit = sinkReadsDirect ? directFile!.offsetAlignment : pageSize
        var reads: [Read] = []
        for (info, range, memory, parts) in wanted {
            if let (base, room) = memory {
                // Cut at multiples of the read size in the file, so that the reads of a placed slot
                // widened to the device's blocks never overlap.
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = min(range.upperBound, (start / Self.readSize + 1) * Self.readSize)
                    reads.append(Read(fileOffset: start, length: end - start,
                                      target: .memory(base + (start - range.lowerBound), room: room)))
                    start = end
                }
                continue
            }
            let element = info.dtype.chunkUnit
            let chunk = max(element, Self.readSize / element * element)
            for run in Self.runs(parts, fileStart: range.lowerBound, unit: unit) {
                for start in stride(from: run.lowerBound, to: run.upperBound, by: chunk) {
                    reads.append(Read(fileOffset: range.lowerBound + start, length: min(chunk, run.upperBound - start),
                                      target: .sink(info, offset: start)))
                }
            }
        }
        self.path = file.path
        self.descriptor = file.descriptor
        self.direct = directFile
        self.sinkReadsDirect = sinkReadsDirect
        let convertsWhole = !sparse && reads.contains(where: \.goesToSink)
        self.mapping = !sinkReadsDirect && convertsWhole ? file.mappedFile : nil
        // 2 MiB pages where the page cache has them: the faults of a cold shard then read and map
        // 2 MiB at a time instead of 64 KiB (as the prefetch; cold bf16 -> F32 0.71-0.85x `cat`
        // against 0.59-0.80x). The kernel's read-ahead advice would bring small pages instead.
        self.mapping?.advise(.hugePage)
        self.sink = sink
        self.reads = reads
        self.isSparse = sparse
    }

    /// Joins ranges of a tensor sorted by start (whose first byte is at `fileStart` in the file)
    /// whose `unit`-sized blocks (pages, or the device's blocks for direct reads) touch or
    /// overlap: the gap between two such ranges lies in blocks read anyway.
    static func runs(_ ranges: [Range<Int>], fileStart: Int, unit: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        for range in ranges {
            if let last = runs.last,
               (fileStart + range.lowerBound) / unit <= (fileStart + last.upperBound - 1) / unit + 1 {
                runs[runs.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                runs.append(range)
            }
        }
        return runs
    }

    /// Runs the reads of `shards` in order (shard by shard, each in file order) on `threads`
    /// threads at once, each taking the next read when it finishes one; `shardDone(i)` is called
    /// once all of shard `i`'s reads are done.
    ///
    /// - Parameters:
    ///   - check: called before each read; what it throws stops the reads (cancellation).
    /// - Throws: the first error: an I/O error naming the file, what a sink throws, what `check`
    ///   throws, or `allocationFailed` for a staging window.
    package static func run(_ shards: [ShardReads], threads: Int,
                            check: @escaping @Sendable () throws(PretrainedError) -> Void = {},
                            shardDone: @escaping @Sendable (Int) -> Void = { _ in }) throws(PretrainedError) {
        let queue = ReadQueue(shards)
        for (index, shard) in shards.enumerated() where shard.reads.isEmpty { shardDone(index) }
        guard queue.count > 0 else { return }
        WorkerThreads.run(min(threads, queue.count)) { _ in
            queue.work(check: check, shardDone: shardDone)
        }
        if let error = queue.failure { throw error }
    }
}

/// The shared state of `ShardReads.run`: the next read to take, what is left of each shard, and
/// the first failure (which stops every thread at its next read).
private final class ReadQueue: Sendable {
    private let shards: [ShardReads]
    /// The reads of all shards in order, as (shard, read) positions.
    private let order: [(shard: Int, read: Int)]
    private let next = Atomic<Int>(0)
    private let remaining: Mutex<[Int]>
    private let failed = Mutex<PretrainedError?>(nil)

    init(_ shards: [ShardReads]) {
        self.shards = shards
        self.order = shards.enumerated().flatMap { shard, reads in reads.reads.indices.map { (shard, $0) } }
        self.remaining = Mutex(shards.map(\.reads.count))
    }

    var count: Int { order.count }
    var failure: PretrainedError? { failed.withLock { $0 } }

    func work(check: @Sendable () throws(PretrainedError) -> Void, shardDone: @Sendable (Int) -> Void) {
        var window: UnsafeMutableRawBufferPointer?
        defer { window.map { free($0.baseAddress) } }
        while failure == nil {
            let position = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard position < order.count else { return }
            let (shardIndex, readIndex) = order[position]
            let shard = shards[shardIndex]
            adviseAhead(of: position)
            do throws(PretrainedError) {
                try check()
                try perform(shard.reads[readIndex], of: shard, window: &window)
            } catch {
                failed.withLock { if $0 == nil { $0 = error } }
                return
            }
            let isLast = remaining.withLock { counts in
                counts[shardIndex] -= 1
                return counts[shardIndex] == 0
            }
            if isLast { shardDone(shardIndex) }
        }
    }

    /// Asks the kernel to start reading the read `ShardReads.readAhead` places after `position`,
    /// when it goes through the page cache: it is then on its way while the threads wait for the
    /// reads before it (each thread has only its own read in flight otherwise).
    private func adviseAhead(of position: Int) {
        let ahead = position + ShardReads.readAhead
        guard ahead < order.count else { return }
        let shard = shards[order[ahead].shard]
        let read = shard.reads[order[ahead].read]
        guard shard.isBufferedRead(read) else { return }
        shard.descriptor.advise(.willNeed, offset: read.fileOffset, length: read.length)
    }

    private func perform(_ read: ShardReads.Read, of shard: ShardReads,
                         window: inout UnsafeMutableRawBufferPointer?) throws(PretrainedError) {
        let range = read.fileOffset..<(read.fileOffset + read.length)
        switch (read.target, shard.direct) {
        case (.memory(let base, _), nil):
            try shard.descriptor.read(into: UnsafeMutableRawBufferPointer(start: base, count: read.length), at: read.fileOffset)
        case (.memory(let base, let room), let direct?) where direct.canRead(range, inPlaceAt: base, room: room):
            try direct.read(range, inPlaceAt: base)
        case (.memory(let base, _), let direct?):
            let staged = try direct.read(range, into: try staging(&window, tensor: shard.path))
            UnsafeMutableRawBufferPointer(start: base, count: read.length).copyMemory(from: staged)
        case (.sink(let info, let offset), _) where shard.mapping != nil:
            let mapping = shard.mapping!
            try shard.sink.write(UnsafeRawBufferPointer(rebasing: mapping.bytes[range]), of: info, at: offset)
            mapping.advise(.dontNeed, range: range)
        case (.sink(let info, let offset), let direct?) where shard.sinkReadsDirect:
            try shard.sink.write(try direct.read(range, into: try staging(&window, tensor: info.name)), of: info, at: offset)
        case (.sink(let info, let offset), _):
            let staged = UnsafeMutableRawBufferPointer(rebasing: try staging(&window, tensor: info.name)[0..<read.length])
            try shard.descriptor.read(into: staged, at: read.fileOffset)
            try shard.sink.write(UnsafeRawBufferPointer(staged), of: info, at: offset)
        }
        shard.sink.arrived(read.length)
    }

    /// This thread's staging window, allocated on first use: a read plus room to widen it by a
    /// block at each end, page-aligned (what direct reads ask for is at most that).
    private func staging(_ window: inout UnsafeMutableRawBufferPointer?, tensor: String) throws(PretrainedError)
        -> UnsafeMutableRawBufferPointer {
        if let window { return window }
        let size = ShardReads.readSize + 2 * ShardReads.largestDirectAlignment
        guard let staging = OwnedBytes.allocate(size, alignment: pageSize) else {
            throw .allocationFailed(tensor: tensor, bytes: size)
        }
        window = staging
        return staging
    }
}
