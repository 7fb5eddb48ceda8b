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

    /// Whether `source` is to be looked up in the cache: no file or folder has that path, and it
    /// has the shape of a model id.
    public static func isCachedModelReference(_ source: String) -> Bool {
        FileSystem.kind(of: source) == .missing && isModelID(source)
    }

    /// The local folder or file `source` names: `source` itself unless it is a cached model
    /// reference (`isCachedModelReference`), else the snapshot of that model id at `revision`.
    ///
    /// - Throws: `PretrainedError.noCheckpoint` saying what is missing from the cache.
    public func locate(_ source: String, revision: String = "main") throws(PretrainedError) -> String {
        HubCache.isCachedModelReference(source) ? try snapshot(of: source, revision: revision) : source
    }

    /// The snapshot folder of `modelID` at `revision` (a ref such as `main`, or a commit hash).
    ///
    /// The revision must be a ref name (components without `.`, `..`, controls or backslashes)
    /// or a commit; the commit a ref holds must be one plain name (`[A-Za-z0-9._-]`, not `.` or
    /// `..`: NUL, a path or trailing bytes are refused, not truncated), and the snapshot must
    /// resolve, links followed, to a folder directly inside the repository's `snapshots/`.
    ///
    /// - Throws: `PretrainedError.noCheckpoint` saying what is missing from the cache or wrong in it.
    public func snapshot(of modelID: String, revision: String = "main") throws(PretrainedError) -> String {
        let repository = repository(of: modelID)
        guard FileSystem.kind(of: repository) == .directory else {
            throw .noCheckpoint(path: modelID, reason: "not a folder, and not in the Hugging Face cache at \(root) "
                + "(pretrained reads the cache offline and downloads nothing: fetch the model first, for example "
                + "with `hf download \(modelID)`, or point HF_HUB_CACHE at a cache that has it)")
        }
        guard Self.isRefName(revision) else {
            throw .noCheckpoint(path: modelID, reason: "invalid revision '\(revision)': not a ref name or a commit")
        }
        let snapshots = Path.join(repository, "snapshots")
        var commit = revision
        let ref = Path.join(Path.join(repository, "refs"), revision)
        switch FileSystem.kind(of: ref) {
        case .file:
            let bytes = try FileContents.read(path: ref, limit: 4096)
            commit = String(decoding: bytes.readOnly, as: UTF8.self).trimmingWhitespace()
            guard Self.isCommitName(commit) else {
                throw .noCheckpoint(path: modelID, reason: "the ref '\(revision)' in the cache is malformed: it must hold "
                    + "one commit name, not '\(commit)'")
            }
        case .missing:
            guard Self.isCommitName(revision) else {
                throw .noCheckpoint(path: modelID, reason: "revision '\(revision)' is neither a ref in the cache nor a commit")
            }
        case .directory, .other:
            throw .noCheckpoint(path: modelID, reason: "the ref '\(revision)' in the cache is not a regular file")
        }
        let snapshot = Path.join(snapshots, commit)
        guard FileSystem.kind(of: snapshot) == .directory else {
            throw .noCheckpoint(path: modelID, reason: "revision '\(revision)' has no snapshot in the cache at \(root)")
        }
        guard let canonical = FileSystem.canonicalPath(snapshot), let folder = FileSystem.canonicalPath(snapshots),
              FileSystem.isInside(canonical, directory: folder), !canonical.dropFirst(folder.count + 1).contains("/") else {
            throw .noCheckpoint(path: modelID, reason: "the snapshot of revision '\(revision)' resolves outside the "
                + "repository's snapshots folder")
        }
        return snapshot
    }

    /// `modelID`'s checkpoint at `revision`, every file of which (each shard, the index and
    /// `config.json`), links followed, lies inside the repository folder (`blobs/` included).
    ///
    /// - Throws: as `snapshot(of:revision:)` and `Checkpoint.resolve`; `.shardOutsideCheckpoint`
    ///   for a shard, `.invalidConfig` for a config, `.noCheckpoint` for an index, that link
    ///   outside the repository.
    public func checkpoint(of modelID: String, revision: String = "main") throws(PretrainedError) -> Checkpoint {
        let snapshot = try snapshot(of: modelID, revision: revision)
        let repository = repository(of: modelID)
        let checkpoint = try Checkpoint.resolve(snapshot, boundary: repository)
        guard let boundary = FileSystem.canonicalPath(repository) else {
            throw .noCheckpoint(path: modelID, reason: "the repository folder cannot be resolved")
        }
        func inside(_ path: String) -> Bool {
            FileSystem.canonicalPath(path).map { FileSystem.isInside($0, directory: boundary) } ?? false
        }
        for shard in checkpoint.shards where !inside(shard.path) {
            throw .shardOutsideCheckpoint(file: snapshot, shard: shard.name)
        }
        if let index = checkpoint.indexPath, !inside(index) {
            throw .noCheckpoint(path: index, reason: "the index links outside the repository in the cache")
        }
        if let config = checkpoint.configPath, !inside(config) {
            throw .invalidConfig(file: config, reason: "the file links outside the repository in the cache")
        }
        return checkpoint
    }

    /// Whether `name` can name a ref: `/`-separated components, none empty, `.` or `..`, without
    /// control characters or backslashes, 255 bytes at most.
    static func isRefName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
                && part.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "\\" }
        }
    }

    /// Whether `name` can name a snapshot: one component of `[A-Za-z0-9._-]`, not `.` or `..`.
    static func isCommitName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && name != "." && name != ".."
            && name.utf8.allSatisfy { byte in
                (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 122) || byte == 46 || byte == 95 || byte == 45
            }
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
