import Dispatch
import Synchronization

/// Loads a checkpoint as `load(pretrained:options:)` does, without blocking a thread of Swift's
/// cooperative pool: the reading runs on a Dispatch worker while the calling task is suspended.
///
/// Cancelling the task stops the load between shards and between tensors, with
/// `PretrainedError.cancelled`; nothing is partially returned. Progress arrives through
/// `options.progress`, a `Sendable` callback.
///
/// ```swift
/// let model = try await load(pretrained: "Examples/tiny-gpt2")
/// ```
public func load(pretrained source: String, options: LoadOptions = LoadOptions()) async throws(PretrainedError) -> PretrainedModel {
    let cancellation = LoadCancellation()
    var options = options
    options.cancellation = cancellation
    let loading = options
    let result: Result<PretrainedModel, PretrainedError> = await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Result { () throws(PretrainedError) in
                    try cancellation.check()
                    return try load(pretrained: source, options: loading)
                })
            }
        }
    } onCancel: {
        cancellation.cancel()
    }
    return try result.get()
}

/// A flag a load checks between shards and tensors; set when the loading task is cancelled.
final class LoadCancellation: Sendable {
    private let cancelled = Atomic(false)

    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    /// Throws `.cancelled` once `cancel()` has been called.
    func check() throws(PretrainedError) {
        if cancelled.load(ordering: .relaxed) { throw .cancelled }
    }
}
