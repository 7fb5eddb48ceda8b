#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Pretrained

/// Checks Hugging Face cache resolution on a hostile ref and revision: the input's first byte is
/// the revision's length, the next bytes the revision, the rest the content of `refs/main`.
///
/// The cache (`CacheFixture`) holds `org/tiny` at two commits (snapshot files link to
/// `../../blobs/`), a snapshot whose shard links outside the repository, one whose config does,
/// a snapshot that is itself a link outside, and refs for each. An accepted resolution must give
/// a snapshot folder directly inside `snapshots/` whose shards, index and config all resolve
/// inside the repository folder; anything else must be a typed rejection.
public enum CacheOracle {
    public static func check(_ data: UnsafeRawBufferPointer, in workspace: FuzzWorkspace) throws(InvariantViolation) -> FuzzOutcome {
        let root: String
        do {
            root = try CacheFixture.make(in: workspace)
        } catch {
            throw InvariantViolation("could not make the cache: \(error)")
        }
        let bytes = Array(data)
        let length = Int(bytes.first ?? 0)
        let revisionBytes = bytes.dropFirst().prefix(length)
        let refBytes = bytes.dropFirst(1 + revisionBytes.count)
        let revision = revisionBytes.isEmpty ? "main" : String(decoding: revisionBytes, as: UTF8.self)
        do {
            try workspace.write(CacheFixture.repository + "/refs/main", bytes: Array(refBytes))
        } catch {
            throw InvariantViolation("could not write the ref: \(error)")
        }
        let cache = HubCache(root: root)
        let checkpoint: Checkpoint
        do {
            checkpoint = try cache.checkpoint(of: "org/tiny", revision: revision)
        } catch {
            return .rejected(error.description)
        }
        let repository = canonical(cache.repository(of: "org/tiny")) ?? "?"
        let snapshots = repository + "/snapshots/"
        let snapshot = canonical(checkpoint.directory) ?? ""
        try require(snapshot.hasPrefix(snapshots) && !snapshot.dropFirst(snapshots.count).contains("/"),
                    "revision \(revision.debugDescription) resolved to \(snapshot), not a snapshot")
        let files = checkpoint.shards.map(\.path) + [checkpoint.indexPath, checkpoint.configPath].compactMap { $0 }
        for file in files {
            let resolved = canonical(file) ?? ""
            try require(resolved.hasPrefix(repository + "/"), "\(file) resolves to \(resolved), outside the repository")
        }
        return .accepted
    }

    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The cache the `cache` target resolves against, made once per workspace:
///
/// ```
/// hub/models--org--tiny/
///   blobs/{config, shard}
///   snapshots/aaaa1111/{config.json, model.safetensors} -> ../../blobs/...
///   snapshots/bbbb2222/model.safetensors -> <outside>/model.safetensors, config.json -> ../../blobs/config
///   snapshots/cccc3333/config.json -> <outside>/config.json, model.safetensors -> ../../blobs/shard
///   snapshots/dddd4444 -> <outside>
///   refs/main (the input), refs/escape: "bbbb2222", refs/ok: "aaaa1111"
/// outside/{config.json, model.safetensors}
/// ```
public enum CacheFixture {
    public static let repository = "hub/models--org--tiny"

    static func make(in workspace: FuzzWorkspace) throws(PretrainedError) -> String {
        let hub = workspace.file("hub")
        if CacheOracle.canonical(workspace.file(repository + "/refs/ok")) != nil { return hub }
        for folder in ["hub", repository, repository + "/blobs", repository + "/snapshots", repository + "/refs", "outside"] {
            try workspace.makeFolder(folder)
        }
        let config = Array(LoadOracle.config.utf8)
        let shard = workspace.file(repository + "/blobs/shard")
        try SafetensorsWriter.write([
            try Tensor(name: "transformer.wte.weight", dtype: .f32, shape: [16, 8], bytes: [UInt8](repeating: 0, count: 512)),
        ], to: shard)
        try workspace.write(repository + "/blobs/config", bytes: config)
        try workspace.write("outside/config.json", bytes: config)
        try SafetensorsWriter.write([
            try Tensor(name: "transformer.wte.weight", dtype: .f32, shape: [16, 8], bytes: [UInt8](repeating: 0, count: 512)),
        ], to: workspace.file("outside/model.safetensors"))
        let snapshots = repository + "/snapshots/"
        for commit in ["aaaa1111", "bbbb2222", "cccc3333"] { try workspace.makeFolder(snapshots + commit) }
        try workspace.link(snapshots + "aaaa1111/config.json", to: "../../blobs/config")
        try workspace.link(snapshots + "aaaa1111/model.safetensors", to: "../../blobs/shard")
        try workspace.link(snapshots + "bbbb2222/config.json", to: "../../blobs/config")
        try workspace.link(snapshots + "bbbb2222/model.safetensors", to: workspace.file("outside/model.safetensors"))
        try workspace.link(snapshots + "cccc3333/config.json", to: workspace.file("outside/config.json"))
        try workspace.link(snapshots + "cccc3333/model.safetensors", to: "../../blobs/shard")
        try workspace.link(snapshots + "dddd4444", to: workspace.file("outside"))
        try workspace.write(repository + "/refs/escape", bytes: Array("bbbb2222".utf8))
        try workspace.write(repository + "/refs/ok", bytes: Array("aaaa1111".utf8))
        return hub
    }
}
