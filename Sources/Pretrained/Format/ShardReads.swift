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
            /// Straight into this memory (a slot of the stored dtype).
            case memory(UnsafeMutableRawPointer)
            /// Into a staging window, then to the sink as the bytes of `info` from `offset` on.
            case sink(TensorInfo, offset: Int)
        }

        var fileOffset: Int
        var length: Int
        var target: Target
    }

    /// The largest single read: large enough that a read costs one request to the device, small
    /// enough that a staging window per thread stays small and that threads share a tensor.
    package static let readSize = 8 << 20

    let path: String
    let descriptor: FileDescriptor
    let sink: any TensorSink
    let reads: [Read]
    /// Whether the reads skip parts of the file's tensors (a slice of each), so that read-ahead
    /// past a read would fetch bytes nobody asked for.
    package let isSparse: Bool

    /// The bytes the reads fetch.
    package var byteCount: Int { reads.reduce(0) { $0 + $1.length } }

    /// Plans the reads of `file`'s tensors into `sink`: asks the sink for each tensor's
    /// destination in offset order (on the calling thread), then splits what it wants into reads
    /// of at most `readSize` bytes.
    ///
    /// A `.chunks` destination that needs only parts of a tensor (`neededRanges`, a
    /// tensor-parallel slice) gets one read per run of parts whose pages touch: the bytes between
    /// two parts on pages the kernel reads anyway are read too (and ignored by the sink) instead
    /// of costing a system call per part; pages that hold no needed byte are never read.
    ///
    /// - Throws: whatever the sink's `destination(for:)` throws.
    package init(file: SafetensorsFile, sink: some TensorSink) throws(PretrainedError) {
        var reads: [Read] = []
        var sparse = false
        for info in file.header.tensors {
            let range = file.fileRange(of: info)
            switch try sink.destination(for: info) {
            case .discard:
                continue
            case .buffer(let buffer):
                guard let base = buffer.baseAddress else { continue }
                for start in stride(from: 0, to: range.count, by: Self.readSize) {
                    reads.append(Read(fileOffset: range.lowerBound + start, length: min(Self.readSize, range.count - start),
                                      target: .memory(base + start)))
                }
            case .chunks:
                let needed = sink.neededRanges(of: info)?.map { $0.clamped(to: 0..<range.count) }.filter { !$0.isEmpty }
                    ?? [0..<range.count]
                if needed.reduce(0, { $0 + $1.count }) < range.count { sparse = true }
                let unit = info.dtype.chunkUnit
                let chunk = max(unit, Self.readSize / unit * unit)
                for span in Self.pageRuns(needed, fileStart: range.lowerBound) {
                    for start in stride(from: span.lowerBound, to: span.upperBound, by: chunk) {
                        reads.append(Read(fileOffset: range.lowerBound + start,
                                          length: min(chunk, span.upperBound - start), target: .sink(info, offset: start)))
                    }
                }
            }
        }
        self.path = file.path
        self.descriptor = file.descriptor
        self.sink = sink
        self.reads = reads
        self.isSparse = sparse
    }

    /// Joins sorted, disjoint ranges of a tensor (whose first byte is at `fileStart` in the file)
    /// whose pages touch or overlap: the gap between two such ranges lies on pages read anyway.
    static func pageRuns(_ ranges: [Range<Int>], fileStart: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        for range in ranges {
            if let last = runs.last,
               (fileStart + range.lowerBound) / pageSize <= (fileStart + last.upperBound - 1) / pageSize + 1 {
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

    private func perform(_ read: ShardReads.Read, of shard: ShardReads,
                         window: inout UnsafeMutableRawBufferPointer?) throws(PretrainedError) {
        switch read.target {
        case .memory(let base):
            try shard.descriptor.read(into: UnsafeMutableRawBufferPointer(start: base, count: read.length), at: read.fileOffset)
        case .sink(let info, let offset):
            if window == nil {
                var base: UnsafeMutableRawPointer?
                guard posix_memalign(&base, pageSize, ShardReads.readSize) == 0, let base else {
                    throw .allocationFailed(tensor: info.name, bytes: ShardReads.readSize)
                }
                window = UnsafeMutableRawBufferPointer(start: base, count: ShardReads.readSize)
            }
            let staged = UnsafeMutableRawBufferPointer(rebasing: window![0..<read.length])
            try shard.descriptor.read(into: staged, at: read.fileOffset)
            try shard.sink.write(UnsafeRawBufferPointer(staged), of: info, at: offset)
        }
        shard.sink.arrived(read.length)
    }
}
