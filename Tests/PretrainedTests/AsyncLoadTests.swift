import Synchronization
import Testing
@testable import Pretrained

/// `try await load(pretrained:)`: the same model as the synchronous call, off the cooperative
/// pool, stopped by cancellation between shards and tensors.
@Suite struct AsyncLoadTests {
    let gpt2 = Fixtures.path("models/GPT2LMHeadModel")

    @Test func theAsyncLoadGivesTheSameModel() async throws {
        let awaited = try await load(pretrained: gpt2, options: LoadOptions(copy: true))
        let direct = try loadSynchronously(gpt2)
        #expect(awaited.parameters.map { $0.sha256() } == direct.parameters.map { $0.sha256() })
        #expect(awaited.report == direct.report)
    }

    @Test func aCancelledTaskStopsTheLoad() async throws {
        let path = gpt2
        let task = Task { () async throws(PretrainedError) -> PretrainedModel in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await load(pretrained: path)
        }
        await #expect(throws: PretrainedError.cancelled) { try await task.value }
    }

    @Test func cancellingAfterTheFirstShardStopsBeforeTheLast() async throws {
        let shards = Mutex(0)
        let handle = Mutex<Task<PretrainedModel, any Error>?>(nil)
        var options = LoadOptions(copy: true)
        options.parallel = false
        options.progress = { _ in
            shards.withLock { $0 += 1 }
            handle.withLock { $0?.cancel() }
        }
        let loading = options
        let path = gpt2
        let task = Task { try await load(pretrained: path, options: loading) }
        handle.withLock { $0 = task }
        do {
            _ = try await task.value
            // The task may finish before the handle is stored: then every shard was read.
            #expect(shards.withLock { $0 } == 4)
        } catch {
            #expect(error as? PretrainedError == .cancelled)
            #expect(shards.withLock { $0 } < 4, "the load stopped before its last shard")
        }
    }
}

/// The synchronous load, which async code reaches from a synchronous function.
private func loadSynchronously(_ path: String) throws -> PretrainedModel {
    try load(pretrained: path, options: LoadOptions(copy: true))
}
