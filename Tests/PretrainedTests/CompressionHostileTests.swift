import Foundation
import Testing

@testable import Pretrained

/// Hostile compressed streams fail with a typed error naming the shard, in bounded memory and
/// time: truncation, corruption, checksum mismatches, trailing garbage, decompression bombs and
/// frames whose declared size is wrong.
@Suite struct CompressionHostileTests {
    /// A plain shard, its compressed version (frames of `frameSize`), and the compressed bytes.
    struct Sample {
        let directory: TemporaryDirectory
        let plain: String
        let compressed: String
        let bytes: [UInt8]
        let frames: [CompressedFrame]
        let header: SafetensorsHeader

        init(_ compression: ShardCompression, frameSize: Int = 2000) throws {
            directory = try TemporaryDirectory()
            plain = try CompressionSamples.plainShard(try CompressionSamples.tensors(scale: 16), in: directory)
            compressed = try CompressionSamples.compress(plain, compression, frameSize: frameSize)
            bytes = try CompressionSamples.bytes(compressed)
            let reader = try CompressedShardReader(path: compressed)
            frames = reader.frames
            header = reader.header
        }

        /// Writes `bytes` as a file named like the compressed one and returns its path.
        func write(_ bytes: [UInt8], name: String? = nil) throws -> String {
            try directory.write(
                name ?? "hostile" + ShardCompression(fileName: compressed).fileExtensions[0], bytes: bytes)
        }
    }

    /// Opens and fully decodes `path` (sequentially and in parallel).
    func load(_ path: String, threads: Int = 4) throws {
        _ = try CompressedShardReader(path: path).tensors(threads: threads)
    }

    @Test(arguments: [ShardCompression.zstd, .lz4])
    func aStreamCutInsideAFrameIsTruncated(compression: ShardCompression) throws {
        let sample = try Sample(compression)
        for frame in [sample.frames[0], sample.frames[3], sample.frames[sample.frames.count - 1]] {
            for cut in [
                frame.range.lowerBound + 2, frame.range.lowerBound + frame.range.count / 2,
                frame.range.upperBound - 1,
            ] {
                let path = try sample.write(Array(sample.bytes[..<cut]))
                #expect(throws: PretrainedError.truncatedFrame(file: path, offset: frame.range.lowerBound)) {
                    try load(path)
                }
            }
        }
    }

    @Test(arguments: [ShardCompression.zstd, .lz4])
    func aStreamCutBetweenFramesIsShort(compression: ShardCompression) throws {
        let sample = try Sample(compression)
        let last = try #require(sample.frames.last)
        let path = try sample.write(Array(sample.bytes[..<last.range.lowerBound]))
        let missing = try #require(last.contentSize)
        #expect(
            throws: PretrainedError.dataSizeMismatch(
                file: path, expected: sample.header.dataLength,
                actual: sample.header.dataLength - missing)
        ) { try load(path) }
    }

    /// Without declared sizes the shortfall shows when the data is decoded.
    @Test func aStreamWithoutDeclaredSizesCutBetweenFramesIsShort() throws {
        let fixture = Fixtures.path("compressed/llama-bf16-two-frames.safetensors.zst")
        let reader = try CompressedShardReader(path: fixture)
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "cut.safetensors.zst",
            bytes: Array(try CompressionSamples.bytes(fixture)[..<reader.frames[1].range.lowerBound]))
        #expect(
            throws: PretrainedError.dataSizeMismatch(
                file: path, expected: reader.header.dataLength,
                actual: 6000 - reader.header.dataStart)
        ) { try load(path) }
    }

    @Test(arguments: [ShardCompression.zstd, .lz4], [1, 4])
    func aCorruptedFrameIsRejected(compression: ShardCompression, threads: Int) throws {
        let sample = try Sample(compression)
        let frame = sample.frames[2]
        var bytes = sample.bytes
        for offset in stride(from: frame.range.lowerBound + 24, to: frame.range.upperBound - 8, by: 7) {
            bytes[offset] ^= 0x5A
        }
        let path = try sample.write(bytes)
        #expect {
            try load(path, threads: threads)
        } throws: { error in
            switch error as? PretrainedError {
            case .corruptFrame(path, frame.range.lowerBound, _),
                .frameChecksumMismatch(path, frame.range.lowerBound):
                return true
            default: return false
            }
        }
    }

    /// The content checksum is a frame's last 4 bytes.
    @Test(arguments: [ShardCompression.zstd, .lz4], [1, 4])
    func aChecksumMismatchIsRejected(compression: ShardCompression, threads: Int) throws {
        let sample = try Sample(compression)
        let frame = sample.frames[1]
        var bytes = sample.bytes
        bytes[frame.range.upperBound - 2] ^= 0x01
        let path = try sample.write(bytes)
        #expect(throws: PretrainedError.frameChecksumMismatch(file: path, offset: frame.range.lowerBound)) {
            try load(path, threads: threads)
        }
    }

    /// An lz4 frame header carries a checksum, checked before its content size is believed.
    @Test func aCorruptedLZ4FrameHeaderIsRejected() throws {
        let sample = try Sample(.lz4)
        let frame = sample.frames[2]
        var bytes = sample.bytes
        bytes[frame.range.lowerBound + 7] ^= 0x10
        let path = try sample.write(bytes)
        #expect(throws: PretrainedError.frameChecksumMismatch(file: path, offset: frame.range.lowerBound)) {
            try load(path)
        }
    }

    @Test(arguments: [ShardCompression.zstd, .lz4])
    func trailingGarbageIsRejected(compression: ShardCompression) throws {
        let sample = try Sample(compression)
        let path = try sample.write(sample.bytes + Array("garbage!".utf8))
        #expect(throws: PretrainedError.trailingGarbage(file: path, offset: sample.bytes.count, count: 8)) {
            try load(path)
        }
        let short = try sample.write(sample.bytes + [0x01, 0x02], name: "short" + compression.fileExtensions[0])
        #expect(throws: PretrainedError.trailingGarbage(file: short, offset: sample.bytes.count, count: 2)) {
            try load(short)
        }
    }

    /// An extra frame that declares its size: the sum of the sizes exceeds what the header
    /// accounts for, caught before any data is decoded.
    @Test(arguments: [ShardCompression.zstd, .lz4])
    func anExtraFrameIsCaughtAtOnce(compression: ShardCompression) throws {
        let sample = try Sample(compression)
        let extra = sample.bytes[sample.frames[1].range]
        let path = try sample.write(sample.bytes + extra)
        let size = try #require(sample.frames[1].contentSize)
        #expect(
            throws: PretrainedError.dataSizeMismatch(
                file: path, expected: sample.header.dataLength,
                actual: sample.header.dataLength + size)
        ) {
            try CompressedShardReader(path: path)
        }
    }

    /// A frame of raw blocks holding a valid shard, then 128 GiB of zeros in RLE blocks, without
    /// a declared size: decoding stops one byte past the data.
    @Test func aDecompressionBombStopsOneBytePastTheData() throws {
        let plain = try CompressionSamples.bytes(Fixtures.path(CompressionStockToolTests.plainFixture))
        let bomb = ZstdFrameBuilder.frame(raw: plain, zeros: 1 << 37)
        let directory = try TemporaryDirectory()
        let path = try directory.write("bomb.safetensors.zst", bytes: bomb)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(throws: PretrainedError.decodedBeyondData(file: path, expected: plain.count)) { try load(path) }
        #expect(clock.now - start < .seconds(20))
        // Declaring the bomb's size gives it away before decoding.
        let declared = try directory.write(
            "declared.safetensors.zst",
            bytes: ZstdFrameBuilder.frame(raw: plain, zeros: 1 << 37, contentSize: UInt64(plain.count) + 1 << 37))
        #expect(throws: PretrainedError.self) { try CompressedShardReader(path: declared) }
    }

    @Test(.enabled(if: StockTool.available("lz4"), "the lz4 command is not on PATH"))
    func anLZ4BombStopsOneBytePastTheData() throws {
        let plain = Fixtures.path(CompressionStockToolTests.plainFixture)
        let directory = try TemporaryDirectory()
        let path = directory.file("bomb.safetensors.lz4")
        try StockTool.shell("(cat \(plain); head -c 300000000 /dev/zero) | lz4 -q -c > \(path)")
        let size = try CompressionSamples.bytes(plain).count
        #expect(throws: PretrainedError.decodedBeyondData(file: path, expected: size)) { try load(path) }
    }

    /// Frames whose declared content sizes are off by one in opposite directions (so that their
    /// sum still matches the header).
    @Test(arguments: [ShardCompression.zstd, .lz4])
    func aFrameSizeThatDisagreesWithTheFrameIsRejected(compression: ShardCompression) throws {
        let sample = try Sample(compression, frameSize: 1000)
        var bytes = sample.bytes
        let first = sample.frames[2]
        let second = sample.frames[3]
        try FrameHeaderPatch.addToContentSize(&bytes, frame: first, compression: compression, delta: 1)
        try FrameHeaderPatch.addToContentSize(&bytes, frame: second, compression: compression, delta: -1)
        let path = try sample.write(bytes)
        let reader = try CompressedShardReader(path: path)
        #expect(reader.frames[2].contentSize == 1001)
        for threads in [1, 4] {
            #expect {
                try reader.tensors(threads: threads)
            } throws: { error in
                switch error as? PretrainedError {
                // lz4 checks the declared size and says so; zstd reports a corrupt frame.
                case .frameSizeMismatch(path, first.range.lowerBound, 1001, _): return compression == .lz4
                case .corruptFrame(path, first.range.lowerBound, "Data corruption detected"):
                    return compression == .zstd
                default: return false
                }
            }
        }
    }

    @Test func aHeaderLengthBeyondTheStreamIsRejected() throws {
        let directory = try TemporaryDirectory()
        let prefix = withUnsafeBytes(of: UInt64(50_000_000).littleEndian) { Array($0) } + Array(#"{"a":"#.utf8)
        let path = try directory.write(
            "long.safetensors.zst", bytes: ZstdFrameBuilder.frame(raw: prefix, zeros: 0))
        #expect(throws: PretrainedError.headerBeyondFile(file: path, length: 50_000_000, fileSize: prefix.count)) {
            try CompressedShardReader(path: path)
        }
        let huge = withUnsafeBytes(of: UInt64(200_000_000).littleEndian) { Array($0) }
        let tooLarge = try directory.write(
            "huge.safetensors.zst", bytes: ZstdFrameBuilder.frame(raw: huge, zeros: 0))
        #expect(throws: PretrainedError.headerTooLarge(file: tooLarge, length: 200_000_000)) {
            try CompressedShardReader(path: tooLarge)
        }
    }

    /// A header declaring 10 GB of data in a stream of a few hundred bytes.
    @Test func anImpossibleDecodedSizeIsRejectedBeforeAnyAllocation() throws {
        let header = Array(#"{"w":{"dtype":"F32","shape":[2500000000],"data_offsets":[0,10000000000]}}"#.utf8)
        let prefix = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        let directory = try TemporaryDirectory()
        let path = try directory.write("big.safetensors.zst", bytes: ZstdFrameBuilder.frame(raw: prefix, zeros: 0))
        #expect(
            throws: PretrainedError.implausibleDecodedSize(
                file: path, compression: .zstd, declared: 8 + header.count + 10_000_000_000,
                compressedBytes: try CompressionSamples.bytes(path).count)
        ) { try CompressedShardReader(path: path) }
    }

    @Test func filesThatAreNotTheirNamedCodecAreRejected() throws {
        let sample = try Sample(.lz4)
        let plainBytes = try CompressionSamples.bytes(sample.plain)
        let hex = plainBytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        let renamed = try sample.write(plainBytes, name: "plain.safetensors.zst")
        #expect(throws: PretrainedError.notCompressedAs(file: renamed, compression: .zstd, found: hex)) {
            try load(renamed)
        }
        let wrongCodec = try sample.write(sample.bytes, name: "lz4.safetensors.zst")
        #expect(
            throws: PretrainedError.notCompressedAs(file: wrongCodec, compression: .zstd, found: "04 22 4d 18")
        ) {
            try load(wrongCodec)
        }
        let empty = try sample.write([], name: "empty.safetensors.lz4")
        #expect(throws: PretrainedError.notCompressedAs(file: empty, compression: .lz4, found: "no bytes")) {
            try load(empty)
        }
        let unnamed = try sample.write(plainBytes, name: "plain.bin")
        #expect(throws: PretrainedError.notCompressedAs(file: unnamed, compression: .none, found: hex)) {
            try load(unnamed)
        }
    }

    /// Random corruption anywhere (flipped, overwritten, inserted and deleted bytes) ends, every
    /// time, in a clean decode or a typed error: no crash, no hang.
    @Test(arguments: [ShardCompression.zstd, .lz4])
    func randomlyMutatedStreamsFailCleanly(compression: ShardCompression) throws {
        let sample = try Sample(compression, frameSize: 700)
        let originals = try SafetensorsFile(path: sample.plain).tensors()
        var random = SplitMix64(seed: compression == .zstd ? 1 : 2)
        var failures = 0
        for round in 0..<300 {
            var bytes = sample.bytes
            for _ in 0...(round % 3) {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                case 1: bytes[at] = 0xFF
                case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: at)
                default: bytes.remove(at: at)
                }
            }
            let path = try sample.write(bytes)
            do {
                let decoded = try CompressedShardReader(path: path).tensors(threads: round % 2 == 0 ? 1 : 4)
                // Every frame carries a content checksum: what decodes is the original.
                CompressionSamples.expectSame(decoded, originals)
            } catch {
                #expect(error.description.hasPrefix(path + ": "), "\(error)")
                failures += 1
            }
        }
        #expect(failures > 250)
    }

    @Test func errorsNameTheShardInOneSentence() throws {
        let sample = try Sample(.zstd)
        var bytes = sample.bytes
        bytes[sample.frames[1].range.upperBound - 1] ^= 0xFF
        let path = try sample.write(bytes)
        let result = try CommandResult.run(["inspect", path])
        #expect(result.status == 0, "inspect reads only the header")
        let errors: [PretrainedError] = [
            .truncatedFrame(file: path, offset: 10),
            .corruptFrame(file: path, offset: 10, reason: "Data corruption detected"),
            .frameChecksumMismatch(file: path, offset: 10), .trailingGarbage(file: path, offset: 10, count: 3),
            .frameSizeMismatch(file: path, offset: 10, declared: 5, actual: nil),
            .decodedBeyondData(file: path, expected: 4),
            .notCompressedAs(file: path, compression: .lz4, found: "7b"),
        ]
        for error in errors {
            #expect(error.description.hasPrefix(path + ": ") && !error.description.contains("\n"), "\(error)")
        }
        #expect(
            throws: PretrainedError.frameChecksumMismatch(file: path, offset: sample.frames[1].range.lowerBound)
        ) {
            try load(path)
        }
    }
}

/// Hand-built zstd frames (raw and RLE blocks), for streams the encoder would never write.
enum ZstdFrameBuilder {
    /// A frame holding `raw` in raw blocks, then `zeros` zero bytes in RLE blocks of 128 KiB, with
    /// a 128 KiB window, no checksum, and the content size only when given.
    static func frame(raw: [UInt8], zeros: Int, contentSize: UInt64? = nil) -> [UInt8] {
        var frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        frame.append(contentSize == nil ? 0x00 : 0xC0)  // frame header descriptor: 8-byte content size or none
        frame.append(0x38)  // window descriptor: 2^17
        if let contentSize { frame += withUnsafeBytes(of: contentSize.littleEndian) { Array($0) } }
        let blockSize = 1 << 17
        var blocks: [(type: Int, size: Int, bytes: ArraySlice<UInt8>)] = []
        for start in stride(from: 0, to: raw.count, by: blockSize) {
            let piece = raw[start..<min(raw.count, start + blockSize)]
            blocks.append((0, piece.count, piece))
        }
        for start in stride(from: 0, to: zeros, by: blockSize) {
            blocks.append((1, min(blockSize, zeros - start), [0]))
        }
        if blocks.isEmpty { blocks.append((0, 0, [])) }
        for (index, block) in blocks.enumerated() {
            let last = index == blocks.count - 1 ? 1 : 0
            let header = block.size << 3 | block.type << 1 | last
            frame += [UInt8(header & 0xFF), UInt8(header >> 8 & 0xFF), UInt8(header >> 16 & 0xFF)]
            frame += block.bytes
        }
        return frame
    }
}

/// Rewrites a frame's declared content size in place (for zstd frames as `ZSTD_compress2`
/// writes them; for lz4 frames, recomputing the header checksum).
enum FrameHeaderPatch {
    static func addToContentSize(
        _ bytes: inout [UInt8], frame: CompressedFrame, compression: ShardCompression,
        delta: Int
    ) throws {
        let start = frame.range.lowerBound
        let size = try #require(frame.contentSize) + delta
        if compression == .lz4 {
            try #require(bytes[start + 4] & 0x08 != 0, "the lz4 frame declares its size")
            for i in 0..<8 { bytes[start + 6 + i] = UInt8(truncatingIfNeeded: size >> (8 * i)) }
            let descriptor = bytes[(start + 4)..<(start + 14)].withUnsafeBytes { XXH32.hash($0) }
            bytes[start + 14] = UInt8(truncatingIfNeeded: descriptor >> 8)
            return
        }
        let descriptor = bytes[start + 4]
        let singleSegment = descriptor & 0x20 != 0
        let field = start + 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][Int(descriptor & 3)]
        switch descriptor >> 6 {
        case 1:
            let stored = size - 256
            bytes[field] = UInt8(stored & 0xFF)
            bytes[field + 1] = UInt8(stored >> 8)
        case 2:
            for i in 0..<4 { bytes[field + i] = UInt8(truncatingIfNeeded: size >> (8 * i)) }
        default:
            Issue.record("unexpected content size field in frame header descriptor \(descriptor)")
        }
    }
}
