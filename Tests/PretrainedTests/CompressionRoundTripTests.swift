import Foundation
import Testing

@testable import Pretrained

/// Compressed shards written by `CompressedShardWriter` decode to the original bytes, whatever the
/// codec, level, frame size, dtype, destination kind and number of threads.
@Suite struct CompressionRoundTripTests {
    /// One frame, frames of a few bytes (cutting elements and tensors), frames cutting tensors,
    /// and page-sized frames.
    static let frameSizes = [1 << 30, 7, 1000, 4096]

    @Test(arguments: [ShardCompression.zstd, .lz4], frameSizes)
    func roundTripsSequentiallyAndInParallel(compression: ShardCompression, frameSize: Int) throws {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors()
        let plain = try CompressionSamples.plainShard(tensors, in: directory)
        let path = try CompressionSamples.compress(plain, compression, frameSize: frameSize)

        let reader = try CompressedShardReader(path: path)
        let original = try SafetensorsFile(path: plain)
        #expect(reader.compression == compression)
        #expect(reader.header.tensors == original.header.tensors)
        #expect(reader.header.metadata == ["format": "pt"])
        #expect(reader.decodedSize == original.fileSize)
        #expect(reader.frames.count == (original.fileSize + frameSize - 1) / frameSize)
        #expect(reader.frames.allSatisfy { $0.contentSize != nil })
        for threads in [1, 4] {
            CompressionSamples.expectSame(try reader.tensors(threads: threads), tensors)
        }
    }

    @Test(arguments: [(ShardCompression.zstd, -5), (.zstd, 1), (.zstd, 19), (.lz4, 0), (.lz4, 3), (.lz4, 12)])
    func roundTripsAtEveryLevel(compression: ShardCompression, level: Int) throws {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors(scale: 16)
        let plain = try CompressionSamples.plainShard(tensors, in: directory)
        let path = try CompressionSamples.compress(plain, compression, level: level, frameSize: 3000)
        CompressionSamples.expectSame(try CompressedShardReader(path: path).tensors(), tensors)
    }

    @Test func compressibleDataShrinks() throws {
        let directory = try TemporaryDirectory()
        let zeros = try Tensor(
            name: "zeros", dtype: .f32, shape: [256, 256], bytes: [UInt8](repeating: 0, count: 1 << 18))
        let plain = try CompressionSamples.plainShard([zeros], in: directory)
        for compression in [ShardCompression.zstd, .lz4] {
            let path = try CompressionSamples.compress(plain, compression, frameSize: 1 << 16)
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            #expect(size < (1 << 18) / 50, "\(compression): \(size) bytes")
            CompressionSamples.expectSame(try CompressedShardReader(path: path).tensors(), [zeros])
        }
    }

    @Test func multiFrameShardsDecodeInParallelAndSingleFramesSequentially() throws {
        let directory = try TemporaryDirectory()
        let plain = try CompressionSamples.plainShard(try CompressionSamples.tensors(), in: directory)
        let many = try CompressionSamples.compress(
            plain, .zstd, frameSize: 4096, to: directory.file("many.safetensors.zst"))
        let one = try CompressionSamples.compress(
            plain, .zstd, frameSize: 1 << 30, to: directory.file("one.safetensors.zst"))
        let sink = RecordingSink { _ in "buffer" }
        let parallel = try CompressedShardReader(path: many).read(into: sink, threads: 3)
        #expect(parallel.strategy == .parallel)
        #expect(parallel.workers == 3)
        let reader = try CompressedShardReader(path: many)
        #expect(parallel.framesDecoded == reader.frames.count)
        let sequential = try CompressedShardReader(path: one).read(into: RecordingSink { _ in "buffer" })
        #expect(sequential == CompressedReadReport(strategy: .sequential, workers: 1, framesDecoded: 1))
    }

    /// Chunks hold whole elements, cover every byte once and reassemble to the tensor, even when
    /// frames of a few bytes cut elements and decode on several threads.
    @Test(arguments: [ShardCompression.zstd, .lz4], [1, 4])
    func chunksHoldWholeElementsAcrossFrameBoundaries(compression: ShardCompression, threads: Int) throws {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors(scale: 8)
        let plain = try CompressionSamples.plainShard(tensors, in: directory)
        let path = try CompressionSamples.compress(plain, compression, frameSize: 5)
        let sink = RecordingSink { _ in "chunks" }
        try CompressedShardReader(path: path).read(into: sink, threads: threads)
        for tensor in tensors {
            #expect(sink.bytes(of: tensor.name) == tensor.bytes, "bytes of \(tensor.name)")
            let unit = tensor.dtype.chunkUnit
            let chunks = sink.chunks.filter { $0.tensor == tensor.name }
            #expect(
                chunks.allSatisfy { $0.offset % unit == 0 && $0.count % unit == 0 && $0.count > 0 },
                "\(tensor.name)")
            #expect(chunks.reduce(0) { $0 + $1.count } == tensor.byteCount, "\(tensor.name) delivered once")
        }
    }

    @Test func mixedDestinationsAndSkippedFrames() throws {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors()
        let plain = try CompressionSamples.plainShard(tensors, in: directory)
        let path = try CompressionSamples.compress(plain, .zstd, frameSize: 2000)
        let sink = RecordingSink { info in
            info.name == "F32.large"
                ? "discard" : info.dtype == .bf16 || info.dtype == .f6e2m3 ? "chunks" : "buffer"
        }
        let reader = try CompressedShardReader(path: path)
        let report = try reader.read(into: sink, threads: 4)
        #expect(report.framesDecoded < reader.frames.count, "frames holding only the discarded tensor are skipped")
        for tensor in tensors {
            #expect(
                sink.bytes(of: tensor.name) == (tensor.name == "F32.large" ? nil : tensor.bytes), "\(tensor.name)")
        }
    }

    @Test func aShardWithoutTensorsRoundTrips() throws {
        let directory = try TemporaryDirectory()
        let plain = try CompressionSamples.plainShard([], in: directory)
        for compression in [ShardCompression.zstd, .lz4] {
            let path = try CompressionSamples.compress(plain, compression, frameSize: 4)
            let reader = try CompressedShardReader(path: path)
            #expect(reader.header.tensors.isEmpty)
            #expect(try reader.tensors().isEmpty)
        }
    }

    @Test func theCodecComesFromTheNameOrTheMagicNumber() throws {
        let directory = try TemporaryDirectory()
        let plain = try CompressionSamples.plainShard(try CompressionSamples.tensors(scale: 4), in: directory)
        let unnamed = try CompressionSamples.compress(plain, .lz4, frameSize: 100, to: directory.file("model.bin"))
        #expect(try CompressedShardReader(path: unnamed).compression == .lz4)
        #expect(ShardCompression(fileName: "a.safetensors.zstd") == .zstd)
        #expect(ShardCompression(fileName: "a.safetensors.zst") == .zstd)
        #expect(ShardCompression(fileName: "a.safetensors.lz4") == .lz4)
        #expect(ShardCompression(fileName: "a.safetensors") == ShardCompression.none)
    }

    @Test func invalidOptionsAreRejected() throws {
        let directory = try TemporaryDirectory()
        let plain = try CompressionSamples.plainShard([], in: directory)
        let cases: [(CompressedShardWriter.Options, String)] = [
            (.init(compression: .zstd, level: 99), "zstd level 99 is outside -131072...22"),
            (.init(compression: .lz4, level: 13), "lz4 level 13 is outside 0...12"),
            (.init(compression: .zstd, frameSize: 0), "the frame size must be between 1 byte and 1 GiB, not 0"),
            (.init(compression: .none), "the codec must be zstd or lz4"),
        ]
        for (options, reason) in cases {
            #expect(throws: PretrainedError.invalidCompressionOptions(reason: reason)) {
                try CompressedShardWriter.write(shardAt: plain, to: directory.file("x.zst"), options: options)
            }
        }
        let compressed = try CompressionSamples.compress(plain, .zstd, frameSize: 100)
        #expect(throws: PretrainedError.alreadyCompressed(file: compressed)) {
            try CompressedShardWriter.write(shardAt: compressed, to: directory.file("y.zst"), options: .init())
        }
    }
}
