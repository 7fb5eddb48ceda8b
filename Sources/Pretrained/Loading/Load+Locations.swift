#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

// `load(pretrained:)` for a checkpoint named by a `FilePath` or a `file:` URL, as by its path.

/// Loads the checkpoint at `path`, as `load(pretrained:options:)` with `path.string`.
///
/// ```swift
/// let model = try load(pretrained: FilePath("Examples/tiny-gpt2"))
/// ```
///
/// - Throws: what `load(pretrained:options:)` throws.
public func load(pretrained path: FilePath, options: LoadOptions = LoadOptions()) throws(PretrainedError) -> PretrainedModel {
    try load(pretrained: Path.string(path), options: options)
}

/// Loads the checkpoint at the `file:` URL `url`, as `load(pretrained:options:)` with its path.
///
/// ```swift
/// let model = try load(pretrained: URL(filePath: "Examples/tiny-gpt2"))
/// ```
///
/// - Throws: `PretrainedError.notAFileURL` for a URL that is not a local file (nothing is
///   downloaded); otherwise what `load(pretrained:options:)` throws.
public func load(pretrained url: URL, options: LoadOptions = LoadOptions()) throws(PretrainedError) -> PretrainedModel {
    try load(pretrained: Path.string(url), options: options)
}

/// Loads the checkpoint at `path` without blocking a cooperative thread, as the `async`
/// `load(pretrained:options:)` with `path.string`.
///
/// - Throws: what the `async` `load(pretrained:options:)` throws.
public func load(pretrained path: FilePath, options: LoadOptions = LoadOptions()) async throws(PretrainedError)
    -> PretrainedModel {
    try await load(pretrained: Path.string(path), options: options)
}

/// Loads the checkpoint at the `file:` URL `url` without blocking a cooperative thread, as the
/// `async` `load(pretrained:options:)` with its path.
///
/// - Throws: `PretrainedError.notAFileURL` for a URL that is not a local file; otherwise what
///   the `async` `load(pretrained:options:)` throws.
public func load(pretrained url: URL, options: LoadOptions = LoadOptions()) async throws(PretrainedError)
    -> PretrainedModel {
    try await load(pretrained: Path.string(url), options: options)
}
