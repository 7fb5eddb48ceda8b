#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local Hugging Face cache, read offline: `models--org--name/refs/<revision>` names a
/// snapshot folder `models--org--name/snapshots/<commit>/` holding the files.
public struct HubCache: Sendable {
    /// The cache root (the `hub` folder).
    public var root: String

    /// The cache at `root`.
    public init(root: String) {
        self.root = root
    }

    /// The cache `huggingface_hub` uses: `HF_HUB_CACHE`, else the legacy `HUGGINGFACE_HUB_CACHE`,
    /// else `HF_HOME/hub`, else `~/.cache/huggingface/hub` (`XDG_CACHE_HOME` replacing `~/.cache`
    /// when set).
    public static func `default`(environment: [String: String] = HubCache.processEnvironment()) -> HubCache {
        for variable in ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"] {
            if let cache = environment[variable], !cache.isEmpty { return HubCache(root: cache) }
        }
        if let home = environment["HF_HOME"], !home.isEmpty { return HubCache(root: Path.join(home, "hub")) }
        let cacheHome = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Path.join(environment["HOME"] ?? "~", ".cache")
        return HubCache(root: Path.join(Path.join(cacheHome, "huggingface"), "hub"))
    }

    /// Whether `source` has the shape of a model id (`gpt2`, `org/name`) rather than a path.
    public static func isModelID(_ source: String) -> Bool {
        let parts = source.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !source.hasPrefix("."), !source.hasPrefix("~") else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
                && part.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        }
    }

    /// The folder of `modelID`'s repository in the cache (`models--org--name`).
    public func repository(of modelID: String) -> String {
        Path.join(root, "models--" + modelID.replacingSlashes(with: "--"))
    }

    /// The local folder or file `source` names: `source` itself when it exists or does not have
    /// the shape of a model id, else the snapshot of the model id `source` at `revision`.
    ///
    /// - Returns: the path, and for a snapshot the repository folder its files must stay inside.
    /// - Throws: `PretrainedError.noCheckpoint` saying what is missing from the cache.
    public func locate(_ source: String, revision: String = "main") throws(PretrainedError) -> (path: String, boundary: String?) {
        if FileSystem.kind(of: source) != .missing || !HubCache.isModelID(source) { return (source, nil) }
        return (try snapshot(of: source, revision: revision), repository(of: source))
    }

    /// The snapshot folder of `modelID` at `revision` (a ref such as `main`, or a commit hash).
    ///
    /// - Throws: `PretrainedError.noCheckpoint` saying what is missing from the cache.
    public func snapshot(of modelID: String, revision: String = "main") throws(PretrainedError) -> String {
        let repository = repository(of: modelID)
        guard FileSystem.kind(of: repository) == .directory else {
            throw .noCheckpoint(path: modelID, reason: "not a folder, and not in the Hugging Face cache at \(root) "
                + "(pretrained reads the cache offline and downloads nothing: fetch the model first, for example "
                + "with `hf download \(modelID)`, or point HF_HUB_CACHE at a cache that has it)")
        }
        guard !revision.isEmpty, !revision.contains("/..") , !revision.hasPrefix("..") else {
            throw .noCheckpoint(path: modelID, reason: "invalid revision '\(revision)'")
        }
        let snapshots = Path.join(repository, "snapshots")
        var commit = revision
        let ref = Path.join(Path.join(repository, "refs"), revision)
        if FileSystem.kind(of: ref) == .file {
            let bytes = try FileContents.read(path: ref, limit: 4096)
            commit = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        }
        guard !commit.isEmpty, !commit.contains("/") else {
            throw .noCheckpoint(path: modelID, reason: "the ref '\(revision)' in the cache is malformed")
        }
        let snapshot = Path.join(snapshots, commit)
        guard FileSystem.kind(of: snapshot) == .directory else {
            throw .noCheckpoint(path: modelID, reason: "revision '\(revision)' has no snapshot in the cache at \(root)")
        }
        return snapshot
    }

    /// The process environment as a dictionary.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

extension String {
    func replacingSlashes(with separator: String) -> String {
        split(separator: "/", omittingEmptySubsequences: false).joined(separator: separator)
    }

    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
