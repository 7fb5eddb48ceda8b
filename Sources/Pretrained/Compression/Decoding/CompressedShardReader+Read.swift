extension CompressedShardReader {
    /// Decodes the tensor data into the destinations `sink` supplies, in one pass.
    ///
    /// With several frames and more than one thread, frames decode concurrently, each straight
    /// into its own range of the destinations: at once when every frame declares its content
    /// size (files from `pretrained compress`), or, when none does (files from `pzstd`), after
    /// decoding the first frame and assuming the others are as large, each frame's real size then
    /// confirmed (a mismatch falls back to sequential decoding, so `.buffer` destinations may be
    /// written twice; a sink with `.chunks` destinations is never decoded speculatively). The
    /// bytes delivered never depend on the strategy.
    ///
    /// - Parameters:
    ///   - sink: the destinations of the tensors.
    ///   - threads: the most threads to decode with; by default every online processor.
    /// - Returns: how the data was decoded.
    /// - Throws: frame errors naming the file and the frame's offset; `.dataSizeMismatch` when the
    ///   stream ends before the data the header declares; `.decodedBeyondData` when it decodes to
    ///   more; whatever the sink throws.
    @discardableResult
    package func read(
        into sink: some TensorSink, threads: Int? = nil
    ) throws(PretrainedError) -> CompressedReadReport {
        // The whole compressed file will be read: let the kernel read it ahead of the decoders.
        file.advise(.willNeed)
        var destinations: [TensorDestination] = []
        destinations.reserveCapacity(header.tensors.count)
        for info in header.tensors { destinations.append(try sink.destination(for: info)) }
        let router = TensorRouter(header: header, destinations: destinations, sink: sink)
        let workers = max(1, min(threads ?? Parallel.activeProcessors, frames.count))
        if workers > 1, let sizes = frameSizes() {
            return try decodeInParallel(
                router, sizes: sizes, from: 0, at: 0, workers: workers, skipping: true,
                strategy: .parallel)
        }
        let speculable =
            frames.count >= 3 && frames.allSatisfy { $0.contentSize == nil }
            && !destinations.contains { if case .chunks = $0 { return true } else { return false } }
        if workers > 1 && speculable {
            return try decodeSpeculatively(router, workers: workers)
        }
        try decodeSequentially(router, from: 0, at: 0)
        return CompressedReadReport(strategy: .sequential, workers: 1, framesDecoded: frames.count)
    }

    /// Every frame's declared content size, when all declare one.
    private func frameSizes() -> [Int]? {
        guard CompressedShardReader.declaredSize(of: frames) != nil else { return nil }
        return frames.compactMap(\.contentSize)
    }

    /// Decodes `frames[first...]`, whose decoded bytes start at stream position `start`, on one
    /// thread, and checks that the stream ends exactly where the data does.
    private func decodeSequentially(
        _ router: TensorRouter, from first: Int, at start: Int
    ) throws(PretrainedError) {
        var stream = DecodeStream(
            file, frames: frames[first...], decoder: try FrameDecoder(compression, file: path))
        let reached = try router.deliver(start..<router.dataEnd, from: &stream, window: DecodeWindow(), seams: nil)
        guard reached == router.dataEnd else {
            throw .dataSizeMismatch(
                file: path, expected: header.dataLength, actual: max(0, reached - header.dataStart))
        }
        guard try stream.isAtEnd() else { throw .decodedBeyondData(file: path, expected: router.dataEnd) }
    }

    /// Decodes `frames[first...]` concurrently, frame `first + i` into the `sizes[i]` bytes
    /// following those of the frames before it, the first starting at stream position `start`.
    ///
    /// - Parameter skipping: whether frames holding only header and discarded bytes may be left
    ///   undecoded (only when the sizes are declared, not assumed).
    private func decodeInParallel(
        _ router: TensorRouter, sizes: [Int], from first: Int, at start: Int, workers: Int, skipping: Bool,
        strategy: CompressedReadReport.Strategy
    ) throws(PretrainedError) -> CompressedReadReport {
        var pieces: [(frame: Int, range: Range<Int>)] = []
        var position = start
        for (offset, size) in sizes.enumerated() {
            let range = position..<(position + size)
            if !(skipping && router.isDiscarded(range)) { pieces.append((first + offset, range)) }
            position += size
        }
        let seams = try SeamTable(
            boundaries: pieces.map(\.range.lowerBound) + pieces.map(\.range.upperBound), router: router, file: path)
        let groups = FrameGroups(pieces.map(\.range.count), count: workers * 4)
        let threads = min(workers, groups.count)
        let failures = Parallel.map(threads) { worker -> (frame: Int, error: PretrainedError)? in
            var frame = -1
            do throws(PretrainedError) {
                let decoder = try FrameDecoder(compression, file: path)
                let window = DecodeWindow()
                for group in stride(from: worker, to: groups.count, by: threads) {
                    for piece in pieces[groups[group]] {
                        frame = piece.frame
                        try decodeFrame(
                            piece.frame, into: piece.range, router, decoder: decoder, window: window, seams: seams)
                    }
                }
                return nil
            } catch {
                return (frame, error)
            }
        }
        if let failure = failures.compactMap({ $0 }).min(by: { $0.frame < $1.frame }) { throw failure.error }
        try seams.flush(to: router)
        return CompressedReadReport(strategy: strategy, workers: threads, framesDecoded: pieces.count)
    }

    /// Decodes one frame whose decoded bytes are `range` of the stream.
    private func decodeFrame(
        _ index: Int, into range: Range<Int>, _ router: TensorRouter, decoder: FrameDecoder,
        window: DecodeWindow, seams: SeamTable
    ) throws(PretrainedError) {
        var stream = DecodeStream(file, frames: frames[index...index], decoder: decoder)
        let frame = frames[index]
        let reached = try router.deliver(range, from: &stream, window: window, seams: seams)
        guard reached == range.upperBound else {
            throw .frameSizeMismatch(
                file: path, offset: frame.range.lowerBound, declared: range.count,
                actual: reached - range.lowerBound)
        }
        guard try stream.isAtEnd() else {
            throw .frameSizeMismatch(
                file: path, offset: frame.range.lowerBound, declared: range.count, actual: nil)
        }
    }

    /// Decodes the first frame to learn its size, then the others concurrently as if each were
    /// that large (the last one taking the remainder), falling back to sequential decoding of the
    /// frames after the first when a frame's size proves otherwise.
    private func decodeSpeculatively(
        _ router: TensorRouter, workers: Int
    ) throws(PretrainedError) -> CompressedReadReport {
        var stream = DecodeStream(file, frames: frames[0...0], decoder: try FrameDecoder(compression, file: path))
        let firstSize = try router.deliver(0..<router.dataEnd, from: &stream, window: DecodeWindow(), seams: nil)
        let middle = frames.count - 2
        let (assumed, overflow) = firstSize.multipliedReportingOverflow(by: middle + 1)
        let last = router.dataEnd - assumed
        if firstSize > 0 && !overflow && last > 0 && last <= firstSize {
            let sizes = [Int](repeating: firstSize, count: middle) + [last]
            do {
                return try decodeInParallel(
                    router, sizes: sizes, from: 1, at: firstSize, workers: workers,
                    skipping: false, strategy: .speculative)
            } catch .frameSizeMismatch {
                // The frames are not uniform: decode them in order instead.
            }
        }
        try decodeSequentially(router, from: 1, at: firstSize)
        return CompressedReadReport(strategy: .sequential, workers: 1, framesDecoded: frames.count)
    }
}
