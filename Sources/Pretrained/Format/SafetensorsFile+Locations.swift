#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

extension SafetensorsFile {
    /// Opens and validates the file at `path`, as `init(path:backend:)` with `path.string`.
    ///
    /// - Throws: what `init(path:backend:)` throws.
    public init(path: FilePath, backend: ReadBackend = .mmap) throws(PretrainedError) {
        try self.init(path: Path.string(path), backend: backend)
    }

    /// Opens and validates the file at the `file:` URL `url`, as `init(path:backend:)` with its path.
    ///
    /// - Throws: `PretrainedError.notAFileURL` for a URL that is not a local file; otherwise what
    ///   `init(path:backend:)` throws.
    public init(url: URL, backend: ReadBackend = .mmap) throws(PretrainedError) {
        try self.init(path: Path.string(url), backend: backend)
    }
}
