import Foundation
import Testing

@testable import Pretrained

/// Decoding a compressed shard never holds a decompressed copy of it: measured in a child
/// process as the growth of the peak resident set (`VmHWM`, reset through
/// `/proc/self/clear_refs`) while a 100 MB shard decodes into a sink that keeps nothing. The
/// compressed file's mapped pages count, so releasing them as decoding moves on is measured too.
@Suite struct CompressionMemoryTests {
    #if os(Linux)
    @Test(arguments: [(ShardCompression.zstd, 4 << 20), (.zstd, 1 << 30), (.lz4, 4 << 20), (.lz4, 1 << 30)])
    func decodingA100MBShardStaysWithinAFewMiB(compression: ShardCompression, frameSize: Int) async throws {
        let directory = try TemporaryDirectory()
        let plain = directory.file("big.safetensors")
        try PeakMemory.writeShard(plain, tensors: 8, elements: 6_250_000)
        let path = try CompressionSamples.compress(plain, compression, level: 1, frameSize: frameSize)
        try FileManager.default.removeItem(atPath: plain)
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            [path = path as String] in
            // Per decoding thread: a 1 MiB window, the codec's state (a window of up to a frame),
            // the compressed pages not yet released.
            let limit = (16 << 20) + Parallel.activeProcessors * (12 << 20)
            let growth: Int
            do {
                growth = try PeakMemory.growthWhileDecoding(path)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                exit(2)
            }
            FileHandle.standardError.write(
                Data(
                    "\(Path.lastComponent(of: path)): peak resident growth \(growth >> 10) KiB "
                        .utf8) + Data("(limit \(limit >> 20) MiB)\n".utf8))
            if growth > limit { exit(1) }
        }
        if let output = result?.standardErrorContent {
            print(
                "\(compression), frames of \(frameSize >> 20) MiB: " + String(decoding: output, as: UTF8.self),
                terminator: "")
        }
        withExtendedLifetime(directory) {}
    }
    #endif
}

#if os(Linux)
/// The measurement, run inside the child process.
enum PeakMemory {
    /// By how many bytes the peak resident set grows while the shard at `path` decodes.
    static func growthWhileDecoding(_ path: String) throws -> Int {
        var decodedAll = false
        let growth = try growth {
            let reader = try CompressedShardReader(path: path)
            let sink = CountingSink()
            try reader.read(into: sink)
            decodedAll = sink.count == reader.header.dataLength
        }
        return decodedAll ? growth : Int.max
    }

    /// By how many bytes the peak resident set (`VmHWM`, reset first) grows over the resident
    /// set at the start while `work` runs.
    static func growth(during work: () throws -> Void) throws -> Int {
        try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let before = try status("VmRSS")
        try work()
        return try status("VmHWM") - before
    }

    /// A plain shard of `tensors` BF16 tensors of `elements` elements, written 1 MiB at a time.
    static func writeShard(_ path: String, tensors: Int, elements: Int) throws {
        let size = elements * 2
        let entries = (0..<tensors).map { index in
            #""t\#(index)":{"dtype":"BF16","shape":[\#(elements)],"data_offsets":[\#(index * size),\#((index + 1) * size)]}"#
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var chunk = [UInt64](repeating: 0, count: 1 << 17)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        try AtomicFile.write(to: path) { (sink) throws(PretrainedError) in
            try sink.write(withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) })
            try sink.write(header)
            var remaining = tensors * size
            while remaining > 0 {
                for i in chunk.indices {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    chunk[i] = state & 0x3F7F_3F7F_3F7F_3F7F  // bf16-like: limited exponents
                }
                let count = min(remaining, chunk.count * 8)
                try sink.write(chunk.withUnsafeBytes { Array($0[..<count]) })
                remaining -= count
            }
        }
    }

    /// A field of `/proc/self/status`, in bytes.
    static func status(_ field: String) throws -> Int {
        let text = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(field + ":") })
        let kilobytes = try #require(Int(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes << 10
    }
}

/// A sink that takes every tensor in chunks and only counts the bytes.
private final class CountingSink: TensorSink, @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    var count: Int { lock.withLock { total } }

    func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination { .chunks }

    func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
        lock.withLock { total += chunk.count }
    }
}
#endif
