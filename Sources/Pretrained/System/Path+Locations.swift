#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

/// The other ways a caller names a file (`FilePath` from swift-system, a `file:` `URL`) as the
/// `String` paths the library works with: the one conversion every overload uses.
extension Path {
    /// The path `path` holds, as a string.
    static func string(_ path: FilePath) -> String { path.string }

    /// The local path of a `file:` URL, percent-escapes decoded.
    ///
    /// - Throws: `PretrainedError.notAFileURL` for any other scheme, and for a `file:` URL that
    ///   names a host other than this machine (`file://server/share`).
    static func string(_ url: URL) throws(PretrainedError) -> String {
        let host = url.host(percentEncoded: false) ?? ""
        guard url.isFileURL, host.isEmpty || host == "localhost" else {
            throw .notAFileURL(url: url.absoluteString)
        }
        return url.path(percentEncoded: false)
    }
}
