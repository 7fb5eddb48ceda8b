import Foundation
import Testing
@testable import Pretrained

/// A load opens every shard, and parses its header, exactly once: checkpoint opening hands the
/// open shards to the reader, which never opens them again. Serialized: the trace is process-wide.
@Suite(.serialized) struct ShardOpenedOnceTests {
    /// The four-shard GPT-2 fixture, copied so that no other test touches these paths.
    func shardedCopy(in folder: TemporaryDirectory) throws -> [String] {
        let source = Fixtures.path("models/GPT2LMHeadModel")
        var shards: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: folder.file(name))
            if name.hasSuffix(".safetensors") { shards.append(folder.file(name)) }
        }
        return shards.sorted()
    }

    /// How many times each of `paths` was opened and had its header parsed while `body` ran.
    func counts(of paths: [String], _ body: () throws -> Void) throws -> [String: (opened: Int, parsed: Int)] {
        let events = try FileAccessTrace.recording(body)
        var counts: [String: (opened: Int, parsed: Int)] = [:]
        for path in paths {
            counts[path] = (events.filter { $0 == .opened(path) }.count, events.filter { $0 == .parsedHeader(path) }.count)
        }
        return counts
    }

    @Test func everyShardIsOpenedAndParsedOncePerLoad() throws {
        let folder = try TemporaryDirectory()
        let shards = try shardedCopy(in: folder)
        #expect(shards.count == 4)
        let modes: [(String, LoadOptions)] = [
            ("views", LoadOptions()),
            ("copy", LoadOptions(copy: true)),
            ("pread", LoadOptions(backend: .pread)),
            ("convert", LoadOptions(dtype: .fixed(.f16))),
        ]
        // One test, modes in turn: the trace is process-wide, so parallel cases would mix.
        for (mode, options) in modes {
            var model: PretrainedModel?
            let counts = try counts(of: shards) { model = try load(pretrained: folder.path, options: options) }
            #expect(model?.report.missing == [], "\(mode)")
            for shard in shards {
                #expect(counts[shard]?.opened == 1, "\(mode): \(shard) opened \(counts[shard]?.opened ?? 0) times")
                #expect(counts[shard]?.parsed == 1, "\(mode): \(shard) parsed \(counts[shard]?.parsed ?? 0) times")
            }
        }
    }

    @Test func aCompressedShardIsOpenedAndParsedOnce() throws {
        let folder = try TemporaryDirectory()
        _ = try shardedCopy(in: folder)
        let output = folder.file("zstd")
        _ = try CheckpointCompressor.compress(Checkpoint.resolve(folder.path), to: output, options: .init())
        let shards = try FileManager.default.contentsOfDirectory(atPath: output)
            .filter { $0.hasSuffix(".zst") }.map { output + "/" + $0 }
        #expect(shards.count == 4)
        let counts = try counts(of: shards) { _ = try load(pretrained: output) }
        for shard in shards {
            #expect(counts[shard]?.opened == 1, "\(shard) opened \(counts[shard]?.opened ?? 0) times")
            #expect(counts[shard]?.parsed == 1, "\(shard) parsed \(counts[shard]?.parsed ?? 0) times")
        }
    }
}
