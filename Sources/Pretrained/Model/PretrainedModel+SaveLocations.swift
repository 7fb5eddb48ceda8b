#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

extension PretrainedModel {
    /// Writes the model into the folder `directory`, as `save(pretrained:maxShardBytes:)` with
    /// `directory.string`.
    ///
    /// - Throws: what `save(pretrained:maxShardBytes:)` throws.
    @discardableResult
    public func save(pretrained directory: FilePath, maxShardBytes: Int = 50_000_000_000) throws(PretrainedError)
        -> ShardedCheckpointWriter.Result {
        try save(pretrained: Path.string(directory), maxShardBytes: maxShardBytes)
    }

    /// Writes the model into the folder at the `file:` URL `directory`, as
    /// `save(pretrained:maxShardBytes:)` with its path.
    ///
    /// ```swift
    /// try model.save(pretrained: URL(filePath: "/tmp/my-model", directoryHint: .isDirectory))
    /// ```
    ///
    /// - Throws: `PretrainedError.notAFileURL` for a URL that is not a local file; otherwise what
    ///   `save(pretrained:maxShardBytes:)` throws.
    @discardableResult
    public func save(pretrained directory: URL, maxShardBytes: Int = 50_000_000_000) throws(PretrainedError)
        -> ShardedCheckpointWriter.Result {
        try save(pretrained: Path.string(directory), maxShardBytes: maxShardBytes)
    }
}
