#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

extension Checkpoint {
    /// The checkpoint at `path`, as `resolve(_:boundary:)` with `path.string`.
    ///
    /// - Throws: what `resolve(_:boundary:)` throws.
    public static func resolve(_ path: FilePath, boundary: FilePath? = nil) throws(PretrainedError) -> Checkpoint {
        try resolve(Path.string(path), boundary: boundary.map(Path.string))
    }

    /// The checkpoint at the `file:` URL `url`, as `resolve(_:boundary:)` with its path.
    ///
    /// - Throws: `PretrainedError.notAFileURL` for a URL that is not a local file; otherwise what
    ///   `resolve(_:boundary:)` throws.
    public static func resolve(_ url: URL) throws(PretrainedError) -> Checkpoint {
        try resolve(Path.string(url))
    }
}
