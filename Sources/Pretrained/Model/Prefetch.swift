import Dispatch
import Synchronization

/// Brings the pages of a zero-copy load's mapped shards into memory in the background, in the
/// model's parameter order, while the caller goes on (`LoadOptions.prefetch`).
///
/// A zero-copy load returns in milliseconds, but on a cold page cache the first use of each
/// weight then waits for the disk, one page fault at a time. A prefetch keeps several reads in
/// flight (`MADV_POPULATE_READ` over 8 MiB pieces on `threads` threads) in 2 MiB pages
/// (`MADV_HUGEPAGE` on each mapping, where the file system's page cache has them), so that the whole
/// checkpoint arrives at the device's speed and the first pass over the weights (an inference, a
/// checksum) follows right behind it.
///
/// ```swift
/// var options = LoadOptions()
/// options.prefetch = true
/// let model = try load(pretrained: "path/to/llama", options: options)
/// print(model.prefetch?.bytesDone ?? 0)     // progress, while the caller goes on
/// await model.prefetch?.completion()        // everything resident
/// ```
///
/// Owned parameters (copies, conversions) need no prefetch and are not counted. A shard truncated
/// under the mapping ends its part of the prefetch (`isIntact` is then false; see `MappedFile`).
public final class Prefetch: Sendable {
    /// The bytes of the mapped parameters to bring in (page-rounded).
    public let totalBytes: Int
    private let done = Atomic<Int>(0)
    private let finished = DispatchGroup()

    /// The bytes brought in so far.
    public var bytesDone: Int { done.load(ordering: .relaxed) }

    /// Whether every page has been brought in (or the prefetch has stopped at a truncated shard).
    public var isComplete: Bool { finished.wait(timeout: .now()) == .success }

    /// Blocks the calling thread until the prefetch is complete.
    public func wait() { finished.wait() }

    /// Returns once the prefetch is complete, without blocking a thread of the caller's.
    public func completion() async {
        await withCheckedContinuation { continuation in
            finished.notify(queue: .global()) { continuation.resume() }
        }
    }

    /// The size of each `MADV_POPULATE_READ`: the unit threads share the work in.
    static let pieceSize = 8 << 20

    /// Starts bringing in the mapped storages of `parameters` (each storage once), or returns
    /// `nil` when none is mapped.
    static func start(_ parameters: [Tensor], threads: Int) -> Prefetch? {
        let pieces = Self.pieces(of: parameters)
        guard !pieces.isEmpty else { return nil }
        // In 4 KiB pages the kernel maps at most 64 KiB per fault, and spends more on its page cache
        // than the device takes to read (0.8x `cat`); in 2 MiB pages the prefetch keeps up with `cat`
        // (BENCHMARKS.md, "Prefetch in huge pages"). Advice: ignored where unsupported.
        var advised = Set<ObjectIdentifier>()
        for (file, _) in pieces where advised.insert(ObjectIdentifier(file)).inserted { file.advise(.hugePage) }
        let prefetch = Prefetch(pieces)
        prefetch.finished.enter()
        WorkerThreads.detach {
            WorkerThreads.run(min(threads, pieces.count)) { _ in prefetch.bringIn() }
            prefetch.finished.leave()
        }
        return prefetch
    }

    private let pieces: [(file: MappedFile, range: Range<Int>)]
    private let next = Atomic<Int>(0)

    private init(_ pieces: [(file: MappedFile, range: Range<Int>)]) {
        self.pieces = pieces
        self.totalBytes = pieces.reduce(0) { $0 + $1.range.count }
    }

    /// Takes the next piece and brings it in, until none is left (one prefetch thread).
    private func bringIn() {
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < pieces.count else { return }
            let (file, range) = pieces[index]
            guard file.populate(range) else { continue }
            done.wrappingAdd(range.count, ordering: .relaxed)
        }
    }

    /// The page-rounded ranges of the mapped storages, in parameter order, each storage once,
    /// cut into pieces of at most `pieceSize` bytes.
    static func pieces(of parameters: [Tensor]) -> [(file: MappedFile, range: Range<Int>)] {
        var seen = Set<ObjectIdentifier>()
        var pieces: [(file: MappedFile, range: Range<Int>)] = []
        for tensor in parameters {
            guard case .mapped(let file) = tensor.storage.backing, seen.insert(ObjectIdentifier(tensor.storage)).inserted,
                  let base = file.bytes.baseAddress, let start = tensor.storage.bytes.baseAddress else { continue }
            let offset = start - UnsafeMutableRawPointer(base)
            let lower = offset / pageSize * pageSize
            let upper = min(file.bytes.count, (offset + tensor.storage.bytes.count + pageSize - 1) / pageSize * pageSize)
            for begin in stride(from: lower, to: upper, by: pieceSize) {
                pieces.append((file, begin..<min(upper, begin + pieceSize)))
            }
        }
        return pieces
    }
}
