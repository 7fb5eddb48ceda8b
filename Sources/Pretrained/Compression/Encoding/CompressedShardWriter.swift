/// Writes a plain safetensors file as a compressed shard: its bytes cut into frames of a fixed
/// size, each frame declaring its content size and carrying a content checksum, so that readers
/// can decode the frames in parallel and detect corruption. Frames are compressed on all cores.
///
/// ```swift
/// let options = CompressedShardWriter.Options(compression: .zstd, level: 3)
/// try CompressedShardWriter.write(shardAt: "model.safetensors", to: "out/model.safetensors.zst", options: options)
/// ```
public enum CompressedShardWriter {
    /// How to compress.
    public struct Options: Sendable, Hashable {
        /// The frame size used when none is given: 4 MiB.
        public static let defaultFrameSize = 4 << 20

        /// The codec: `.zstd` or `.lz4`.
        public var compression: ShardCompression
        /// The compression level (see `levels(for:)`).
        public var level: Int
        /// The number of decoded bytes per frame (the last frame may hold fewer).
        public var frameSize: Int
        /// The most threads to compress with; by default every online processor.
        public var threads: Int?

        /// Options for `compression`, at its default level (3 for zstd, 0 for lz4) unless given.
        public init(
            compression: ShardCompression = .zstd, level: Int? = nil,
            frameSize: Int = Options.defaultFrameSize, threads: Int? = nil
        ) {
            self.compression = compression
            self.level = level ?? FrameEncoder.defaultLevel(for: compression)
            self.frameSize = frameSize
            self.threads = threads
        }

        /// The levels `compression` accepts: zstd's (negative levels are its fast modes, up to 22),
        /// lz4's `0...12` (below 3 the fast compressor, from 3 on lz4hc).
        public static func levels(for compression: ShardCompression) -> ClosedRange<Int>? {
            compression == .none ? nil : FrameEncoder.levels(for: compression)
        }

        /// Checks the codec, the level and the frame size.
        ///
        /// - Throws: `.invalidCompressionOptions` naming what is wrong.
        public func validate() throws(PretrainedError) {
            guard let levels = Options.levels(for: compression) else {
                throw .invalidCompressionOptions(reason: "the codec must be zstd or lz4")
            }
            guard levels.contains(level) else {
                let range = "\(levels.lowerBound)...\(levels.upperBound)"
                throw .invalidCompressionOptions(reason: "\(compression.rawValue) level \(level) is outside \(range)")
            }
            guard frameSize > 0 && frameSize <= 1 << 30 else {
                throw .invalidCompressionOptions(
                    reason: "the frame size must be between 1 byte and 1 GiB, not \(frameSize)")
            }
        }
    }

    /// What was written.
    public struct Result: Sendable, Equatable {
        /// The size of the plain file.
        public var bytes: Int
        /// The size of the compressed file.
        public var compressedBytes: Int
        /// The number of frames.
        public var frames: Int
    }

    /// Compresses the plain safetensors file at `source` into `destination`, atomically.
    ///
    /// The source's header is validated first; the source is only read.
    ///
    /// - Throws: `.invalidCompressionOptions`, `.alreadyCompressed` for a compressed source,
    ///   header errors of the source, `.io` for failed reads and writes.
    @discardableResult
    public static func write(
        shardAt source: String, to destination: String, options: Options
    ) throws(PretrainedError) -> Result {
        try options.validate()
        guard ShardCompression(fileName: source) == .none else { throw .alreadyCompressed(file: source) }
        _ = try SafetensorsFile.readHeader(path: source)
        let mapped = try MappedFile(path: source)
        mapped.advise(.sequential)
        let bytes = UnsafeRawBufferPointer(mapped.bytes)
        let frameSize = options.frameSize
        let frames = (bytes.count + frameSize - 1) / frameSize
        let workers = max(1, min(options.threads ?? Parallel.activeProcessors, frames))
        var encoders: [FrameEncoder] = []
        for _ in 0..<workers {
            encoders.append(try FrameEncoder(options.compression, level: options.level, file: destination))
        }
        let bound = encoders[0].bound(frameSize)
        let outputs = UnsafeMutableRawBufferPointer.allocate(byteCount: workers * bound, alignment: 64)
        defer { outputs.deallocate() }
        var compressed = 0
        try AtomicFile.write(to: destination) { (sink) throws(PretrainedError) in
            var first = 0
            while first < frames {
                let batch = min(workers, frames - first)
                let sizes = Parallel.map(batch) { slot in
                    Swift.Result<Int, PretrainedError> { () throws(PretrainedError) in
                        let start = (first + slot) * frameSize
                        let input = UnsafeRawBufferPointer(
                            rebasing: bytes[start..<min(bytes.count, start + frameSize)])
                        let output = UnsafeMutableRawBufferPointer(
                            rebasing: outputs[(slot * bound)..<((slot + 1) * bound)])
                        return try encoders[slot].encode(input, into: output, file: destination)
                    }
                }
                for (slot, size) in sizes.enumerated() {
                    try sink.write(
                        UnsafeRawBufferPointer(rebasing: outputs[(slot * bound)..<(slot * bound + size.get())]))
                }
                // The source pages are done with: keep the process's footprint to one batch.
                let done = min(bytes.count, (first + batch) * frameSize) / pageSize * pageSize
                if done > first * frameSize { mapped.advise(.dontNeed, range: (first * frameSize)..<done) }
                first += batch
            }
            compressed = sink.count
        }
        return Result(bytes: bytes.count, compressedBytes: compressed, frames: frames)
    }
}
