import Synchronization
import Testing
@testable import Pretrained

/// Progress arrives within a shard as copied tensors land, so a single-file model shows it too,
/// and ends with every byte of every shard counted once.
@Suite struct LoadProgressTests {
    @Test(arguments: [LoadOptions(copy: true), LoadOptions(backend: .pread), LoadOptions(dtype: .fixed(.f16))])
    func aSingleFileModelReportsProgressWithinItsShard(options: LoadOptions) throws {
        let reports = Mutex<[LoadProgress]>([])
        var options = options
        options.progress = { progress in reports.withLock { $0.append(progress) } }
        let model = try load(pretrained: Fixtures.path("models/BertModel"), options: options)
        let seen = reports.withLock { $0 }
        let total = try OpenedCheckpoint.open(Checkpoint.resolve(Fixtures.path("models/BertModel"))).totalBytes
        #expect(seen.count > model.parameters.count / 2, "\(seen.count) reports for \(model.parameters.count) tensors")
        #expect(seen.dropLast().allSatisfy { $0.shardsDone == 0 && $0.bytesDone <= total })
        #expect((seen.first?.bytesDone ?? total) < total)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.bytesDone <= $1.bytesDone })
        #expect(seen.last?.shardsDone == 1 && seen.last?.bytesDone == total && seen.last?.totalBytes == total)
    }

    @Test func aCompressedShardReportsProgressWithinItToo() throws {
        let folder = try TemporaryDirectory()
        _ = try CheckpointCompressor.compress(Checkpoint.resolve(Fixtures.path("models/BertModel")),
                                              to: folder.path, options: .init())
        let reports = Mutex<[LoadProgress]>([])
        var options = LoadOptions()
        options.progress = { progress in reports.withLock { $0.append(progress) } }
        _ = try load(pretrained: folder.path, options: options)
        let seen = reports.withLock { $0 }
        #expect(seen.count > 2)
        #expect(seen.last?.shardsDone == 1 && seen.last?.bytesDone == seen.last?.totalBytes)
    }
}
