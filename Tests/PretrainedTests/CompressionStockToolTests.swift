import Foundation
import Testing

@testable import Pretrained

/// Files exactly as the stock `zstd`, `pzstd` and `lz4` tools write them load byte-equal to the
/// plain file: the committed fixtures always, files generated on the fly when the tools are on
/// `PATH`.
@Suite struct CompressionStockToolTests {
    static let plainFixture = "cases/llama-bf16-as-f32/model.safetensors"

    @Test(arguments: [
        "llama-bf16.safetensors.zst", "llama-bf16-pzstd.safetensors.zst",
        "llama-bf16-two-frames.safetensors.zst", "llama-bf16.safetensors.lz4",
        "llama-bf16-linked.safetensors.lz4",
    ])
    func committedFixturesDecodeToThePlainFile(name: String) throws {
        let original = try SafetensorsFile(path: Fixtures.path(Self.plainFixture))
        let reader = try CompressedShardReader(path: Fixtures.path("compressed/" + name))
        #expect(reader.header.tensors == original.header.tensors)
        #expect(reader.header.metadata == original.metadata)
        for threads in [1, 2] {
            CompressionSamples.expectSame(try reader.tensors(threads: threads), try original.tensors())
        }
        let checkpoint = try Checkpoint.resolve(Fixtures.path("compressed/" + name))
        #expect(try OpenedCheckpoint.open(checkpoint).totalBytes == original.header.dataLength)
    }

    /// A plain shard of about `megabytes` MB in a fresh folder, and its tensors.
    func largeShard(megabytes: Int) throws -> (TemporaryDirectory, String, [Tensor]) {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors(scale: megabytes * 1100)
        return (directory, try CompressionSamples.plainShard(tensors, in: directory), tensors)
    }

    @Test(
        .enabled(if: StockTool.available("zstd"), "the zstd command is not on PATH"),
        arguments: [
            "zstd -q -3 PLAIN -o OUT", "cat PLAIN | zstd -q -c > OUT",
            "zstd -q --ultra -22 --long=27 PLAIN -o OUT",
        ])
    func zstdFilesLoad(command: String) throws {
        let (directory, plain, tensors) = try largeShard(megabytes: 1)
        let out = directory.file("out.safetensors.zst")
        try StockTool.shell(
            command.replacingOccurrences(of: "PLAIN", with: plain).replacingOccurrences(of: "OUT", with: out))
        let reader = try CompressedShardReader(path: out)
        #expect(reader.frames.count == 1)
        CompressionSamples.expectSame(try reader.tensors(), tensors)
    }

    /// `pzstd` writes frames without content sizes, each behind a skippable frame: decoded in
    /// parallel by assuming each is as large as the first, then confirming it.
    @Test(.enabled(if: StockTool.available("pzstd"), "the pzstd command is not on PATH"))
    func pzstdFilesLoadInParallel() throws {
        let (directory, plain, tensors) = try largeShard(megabytes: 5)
        let out = directory.file("out.safetensors.zst")
        try StockTool.shell("pzstd -q -p 2 -1 \(plain) -o \(out)")
        let reader = try CompressedShardReader(path: out)
        #expect(reader.frames.count >= 3)
        #expect(reader.frames.allSatisfy { $0.contentSize == nil })
        let sink = RecordingSink { _ in "buffer" }
        let report = try reader.read(into: sink, threads: 4)
        #expect(report.strategy == .speculative)
        #expect(report.framesDecoded == reader.frames.count - 1)
        for tensor in tensors { #expect(sink.bytes(of: tensor.name) == tensor.bytes, "\(tensor.name)") }
        // Chunked destinations are never decoded speculatively.
        let chunks = RecordingSink { _ in "chunks" }
        #expect(try reader.read(into: chunks, threads: 4).strategy == .sequential)
        for tensor in tensors { #expect(chunks.bytes(of: tensor.name) == tensor.bytes, "\(tensor.name)") }
    }

    /// Frames without declared sizes, as concatenated `zstd` outputs: uniform ones decode in
    /// parallel; otherwise the speculation fails (or is not tried), the frames after the first
    /// decode in order, and the result is exact either way.
    @Test(
        .enabled(if: StockTool.available("zstd"), "the zstd command is not on PATH"),
        arguments: [
            [4, 4, 4, 3], [4, 3, 5, 4], [4, 5, 3, 4], [2, 6, 4, 3], [6, 2, 2, 2, 2, 1], [2, 2, 2, 2, 2, 2, 3],
        ])
    func concatenatedFramesOfAnySizeLoad(sixteenths: [Int]) throws {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors(scale: 16)
        let plain = try CompressionSamples.plainShard(tensors, in: directory)
        let parts = try split(plain, sixteenths: sixteenths)
        let out = directory.file("out.safetensors.zst")
        try concatenate(plain, parts: parts, command: "zstd -q --no-content-size -c", into: out)
        let reader = try CompressedShardReader(path: out)
        #expect(reader.frames.count == parts.count)
        let sink = RecordingSink { _ in "buffer" }
        let report = try reader.read(into: sink, threads: 4)
        let speculable = parts.dropLast().allSatisfy { $0 == parts[0] } && parts.last ?? 0 <= parts[0]
        #expect(report.strategy == (speculable ? .speculative : .sequential))
        for tensor in tensors { #expect(sink.bytes(of: tensor.name) == tensor.bytes, "\(tensor.name)") }
    }

    /// The sizes of consecutive parts of the file at `path`, in sixteenths of its size (the last
    /// part takes the remainder).
    func split(_ path: String, sixteenths: [Int]) throws -> [Int] {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        var parts = sixteenths.dropLast().map { size * $0 / 16 }
        parts.append(size - parts.reduce(0, +))
        return parts
    }

    /// Compresses each part of `plain` with `command` (reading stdin) and concatenates the frames.
    func concatenate(_ plain: String, parts: [Int], command: String, into out: String) throws {
        var offset = 0
        var commands: [String] = []
        for part in parts {
            commands.append("tail -c +\(offset + 1) \(plain) | head -c \(part) | \(command)")
            offset += part
        }
        try StockTool.shell("(" + commands.joined(separator: "; ") + ") > \(out)")
    }

    @Test(
        .enabled(if: StockTool.available("lz4"), "the lz4 command is not on PATH"),
        arguments: [
            "lz4 -q PLAIN OUT", "lz4 -q -9 --content-size -BD -B4 PLAIN OUT", "lz4 -q -BX -B5 PLAIN OUT",
            "cat PLAIN | lz4 -q -c > OUT",
        ])
    func lz4FilesLoad(command: String) throws {
        let (directory, plain, tensors) = try largeShard(megabytes: 1)
        let out = directory.file("out.safetensors.lz4")
        try StockTool.shell(
            command.replacingOccurrences(of: "PLAIN", with: plain).replacingOccurrences(of: "OUT", with: out))
        for threads in [1, 4] {
            CompressionSamples.expectSame(try CompressedShardReader(path: out).tensors(threads: threads), tensors)
        }
    }

    @Test(.enabled(if: StockTool.available("lz4"), "the lz4 command is not on PATH"))
    func concatenatedLZ4FramesLoadInParallel() throws {
        let directory = try TemporaryDirectory()
        let tensors = try CompressionSamples.tensors(scale: 16)
        let plain = try CompressionSamples.plainShard(tensors, in: directory)
        let out = directory.file("out.safetensors.lz4")
        try concatenate(plain, parts: try split(plain, sixteenths: [5, 5, 5, 1]), command: "lz4 -q -c", into: out)
        let reader = try CompressedShardReader(path: out)
        #expect(reader.frames.count == 4)
        let sink = RecordingSink { _ in "buffer" }
        #expect(try reader.read(into: sink, threads: 2).strategy == .speculative)
        for tensor in tensors { #expect(sink.bytes(of: tensor.name) == tensor.bytes, "\(tensor.name)") }
    }

    /// Our files decode with the stock tools too.
    @Test(.enabled(if: StockTool.available("zstd") && StockTool.available("lz4"), "zstd or lz4 is not on PATH"))
    func ourFilesDecodeWithTheStockTools() throws {
        let directory = try TemporaryDirectory()
        let plain = try CompressionSamples.plainShard(try CompressionSamples.tensors(), in: directory)
        let zst = try CompressionSamples.compress(plain, .zstd, frameSize: 10_000)
        let lz4 = try CompressionSamples.compress(plain, .lz4, frameSize: 10_000)
        try StockTool.shell("zstd -q -t \(zst) && zstd -q -d -c \(zst) | cmp - \(plain)")
        try StockTool.shell("lz4 -q -t \(lz4) && lz4 -q -d -c \(lz4) | cmp - \(plain)")
    }
}
