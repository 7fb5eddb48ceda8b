import Foundation
import PropertyBased
import PretrainedFuzzTargets
import Testing
@testable import Pretrained

/// Random checkpoints written by our writers must read back byte for byte through every reader.
///
/// A failure prints the (shrunk) spec and a `.fixedSeed("...")` to add to the test to replay it.
@Suite struct PropertyCheckpointTests {
    /// Random checkpoints: every dtype, 0-rank and zero-sized shapes, hostile names, random splits.
    static let checkpoints = Generator<SyntheticCheckpoint, [SyntheticCheckpoint]>(
        run: { random in SyntheticCheckpoint.random(using: &random) },
        shrink: { $0.shrunk })

    /// The ways a written checkpoint is read back. Add `.load(...)` here when `load(pretrained:)`
    /// lands (and check its report and tying outcome against `SyntheticCheckpoint.tiedPairs`).
    enum ReadPath: CaseIterable, CustomStringConvertible {
        case mmap, pread

        var backend: ReadBackend { self == .mmap ? .mmap : .pread }
        var description: String { backend.rawValue }

        /// Every tensor of `headers`' checkpoint, opened shard by shard with this backend.
        func read(_ headers: OpenedCheckpoint) throws -> [String: (tensor: Tensor, shard: String, metadata: [String: String])] {
            var result: [String: (tensor: Tensor, shard: String, metadata: [String: String])] = [:]
            for entry in headers.shards {
                let file = try SafetensorsFile(path: entry.shard.path, backend: backend)
                for tensor in try file.tensors() {
                    result[tensor.name] = (tensor, entry.shard.name, file.metadata)
                }
            }
            return result
        }
    }

    /// Counts the cases a property checked, so a run shows that it did its work.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func add(_ key: String) { lock.withLock { counts[key, default: 0] += 1 } }
        var summary: String { lock.withLock { counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") } }
        func count(_ key: String) -> Int { lock.withLock { counts[key, default: 0] } }
    }

    @Test func writtenCheckpointsReadBackExactly() async {
        let tally = Tally()
        await propertyCheck(count: 300, input: Self.checkpoints) { spec in
            tally.add("checkpoints")
            tally.add(spec.expectedShards.count > 1 ? "sharded" : "single-file")
            if case .compressed(let codec, _) = spec.encoding { tally.add(codec.rawValue) }
            let directory = try TemporaryDirectory()
            try spec.write(to: directory.path)
            try checkReadBack(spec, directory: directory.path)
            if case .compressed(let codec, let frameSize) = spec.encoding {
                try checkCompressed(spec, directory: directory.path, codec: codec, frameSize: frameSize)
            }
        }
        print("property: \(tally.summary)")
        #expect(tally.count("checkpoints") >= 300 || tally.count("checkpoints") == 1, "a fixed seed runs one case")
    }

    /// Compresses the checkpoint in `directory` and decodes every compressed shard back to the
    /// spec's tensors.
    func checkCompressed(_ spec: SyntheticCheckpoint, directory: String, codec: ShardCompression, frameSize: Int) throws {
        let output = directory + "/compressed"
        let options = CompressedShardWriter.Options(compression: codec, frameSize: frameSize, threads: 1)
        _ = try CheckpointCompressor.compress(Checkpoint.resolve(directory), to: output, options: options)
        let checkpoint = try Checkpoint.resolve(output)
        #expect(checkpoint.shards.allSatisfy { $0.compression == codec }, "\(checkpoint.shards)")
        var read: [String: Tensor] = [:]
        for shard in checkpoint.shards {
            for tensor in try CompressedShardReader(path: shard.path).tensors(threads: 1) { read[tensor.name] = tensor }
        }
        #expect(read.count == spec.tensors.count)
        for expected in spec.tensors {
            let tensor = try #require(read[expected.name], "\(codec): \(expected.name.debugDescription) missing")
            #expect(tensor.dtype == expected.dtype && tensor.shape == expected.shape, "\(codec) \(expected)")
            #expect(tensor.bytes == SplitMix64.bytes(expected.byteCount, seed: expected.dataSeed), "\(codec) \(expected)")
        }
    }

    /// Reformatting the index (member order, compact instead of pretty) changes nothing.
    @Test func indexMemberOrderAndFormattingDoNotMatter() async {
        let sharded = Self.checkpoints.filter { spec in spec.expectedShards.count > 1 }
        await propertyCheck(count: 40, input: zip(sharded, Gen<UInt64>.value(in: 0...UInt64.max))) { spec, seed in
            let directory = try TemporaryDirectory()
            try spec.write(to: directory.path)
            let indexPath = directory.file(Checkpoint.indexFileName)
            let index = try Fixtures.jsonFile(indexPath)
            var random = SplitMix64(seed: seed)
            let members = (index.objectValue ?? []).map { member -> (key: String, value: JSONValue) in
                guard member.key == "weight_map", let map = member.value.objectValue else { return member }
                return (member.key, .object(map.shuffled(using: &random)))
            }
            try directory.write(Checkpoint.indexFileName, text: JSONValue.object(members.shuffled(using: &random)).serialized())
            try checkReadBack(spec, directory: directory.path)
        }
    }

    /// Resolves `directory`, cross-checks its headers and reads every tensor through every path.
    func checkReadBack(_ spec: SyntheticCheckpoint, directory: String) throws {
        let shards = spec.expectedShards
        let checkpoint = try Checkpoint.resolve(directory)
        #expect(Set(checkpoint.shards.map(\.name)) == Set(shards.map(\.name)))
        #expect((checkpoint.index != nil) == (shards.count > 1))
        let headers = try OpenedCheckpoint.open(checkpoint)
        #expect(headers.totalBytes == spec.totalBytes)
        #expect(headers.tensorsByName.count == spec.tensors.count)
        if let index = checkpoint.index {
            let expected = shards.flatMap { shard in shard.tensors.map { [$0: shard.name] } }
            let actual = index.weightMap.map { [$0.tensor: $0.shard] }
            #expect(Set(actual) == Set(expected))
            #expect(index.metadata["total_size"] == .int(spec.totalBytes))
            #expect(try Checkpoint.resolve(directory + "/" + Checkpoint.indexFileName).shards == checkpoint.shards)
        }
        for entry in headers.shards {
            let outcome = try SafetensorsOracle.check(path: entry.shard.path)
            #expect(outcome == .accepted, "\(entry.shard.name)")
        }
        for path in PropertyCheckpointTests.ReadPath.allCases {
            let read = try path.read(headers)
            #expect(read.count == spec.tensors.count, "\(path)")
            for expected in spec.tensors {
                guard let (tensor, shard, metadata) = read[expected.name] else {
                    Issue.record("\(path): tensor \(expected.name.debugDescription) missing")
                    continue
                }
                #expect(tensor.dtype == expected.dtype && tensor.shape == expected.shape, "\(path) \(expected)")
                #expect(tensor.bytes == SplitMix64.bytes(expected.byteCount, seed: expected.dataSeed), "\(path) \(expected)")
                #expect(tensor.storage.isMapped == (path == .mmap))
                #expect(shards.first { $0.tensors.contains(expected.name) }?.name == shard, "\(path) \(expected)")
                #expect(metadata == spec.expectedMetadata, "\(path) \(expected)")
            }
        }
    }
}
