/// A checkpoint on disk: its folder, its shards in order, its index and config when present.
///
/// ```swift
/// let checkpoint = try Checkpoint.resolve("path/to/gpt2")    // folder, file or index JSON
/// for shard in checkpoint.shards { print(shard.name) }
/// ```
public struct Checkpoint: Sendable {
    /// The folder holding the checkpoint's files.
    public var directory: String
    /// The shards in the order the checkpoint names them.
    public var shards: [Shard]
    /// The index, for a sharded checkpoint.
    public var index: CheckpointIndex?
    /// The path of the index file, for a sharded checkpoint.
    public var indexPath: String?
    /// The path of `config.json` beside the shards, when it exists.
    public var configPath: String?

    /// The name of the index file `transformers` writes.
    public static let indexFileName = "model.safetensors.index.json"
    /// The name of a single-file checkpoint.
    public static let singleFileName = "model.safetensors"

    /// Resolves `path` to a checkpoint.
    ///
    /// - A folder: its `model.safetensors.index.json` (only the shards the index names), else its
    ///   `model.safetensors`, else its only `*.safetensors` file.
    /// - A `.json` file: an index; shards are looked up beside it.
    /// - Any other file: a single safetensors file.
    ///
    /// Shards named by an index must exist and stay inside the folder, symbolic links included.
    ///
    /// - Parameters:
    ///   - path: the folder, index or file.
    ///   - boundary: the folder that shards, once links are resolved, must stay inside; the
    ///     checkpoint's own folder by default (a Hugging Face cache passes the repository folder,
    ///     whose snapshot files link to `../../blobs/`).
    /// - Throws: `PretrainedError.noCheckpoint`, `.missingShard`, `.shardOutsideCheckpoint`,
    ///   `.invalidIndex`.
    public static func resolve(_ path: String, boundary: String? = nil) throws(PretrainedError) -> Checkpoint {
        switch FileSystem.kind(of: path) {
        case .directory:
            let index = Path.join(path, indexFileName)
            if FileSystem.kind(of: index) == .file { return try fromIndex(index, boundary: boundary) }
            let single = Path.join(path, singleFileName)
            if FileSystem.kind(of: single) == .file { return fromFile(single) }
            let candidates = FileSystem.contents(of: path).filter { $0.hasSuffix(".safetensors") }
            guard candidates.count == 1 else {
                let reason = candidates.isEmpty
                    ? "the folder has no \(indexFileName), \(singleFileName) or other .safetensors file"
                    : "the folder has no \(indexFileName) and several .safetensors files: \(candidates.joined(separator: ", "))"
                throw .noCheckpoint(path: path, reason: reason)
            }
            return fromFile(Path.join(path, candidates[0]))
        case .file:
            return path.hasSuffix(".json") ? try fromIndex(path, boundary: boundary) : fromFile(path)
        case .other:
            throw .noCheckpoint(path: path, reason: "not a regular file or folder")
        case .missing:
            throw .noCheckpoint(path: path, reason: "no such file or folder")
        }
    }

    static func fromFile(_ file: String) -> Checkpoint {
        let directory = Path.directory(of: file)
        return Checkpoint(
            directory: directory, shards: [Shard(name: Path.lastComponent(of: file), path: file)],
            index: nil, indexPath: nil, configPath: configBeside(directory))
    }

    static func fromIndex(_ indexPath: String, boundary: String?) throws(PretrainedError) -> Checkpoint {
        let directory = Path.directory(of: indexPath)
        let index = try CheckpointIndex.read(path: indexPath)
        guard let root = FileSystem.canonicalPath(boundary ?? directory) else {
            throw .noCheckpoint(path: directory, reason: "the folder cannot be resolved")
        }
        var shards: [Shard] = []
        for name in index.shardNames {
            let shardPath = Path.join(directory, name)
            guard let canonical = FileSystem.canonicalPath(shardPath) else {
                throw .missingShard(file: indexPath, shard: name)
            }
            guard FileSystem.isInside(canonical, directory: root) else {
                throw .shardOutsideCheckpoint(file: indexPath, shard: name)
            }
            guard FileSystem.kind(of: shardPath) == .file else { throw .missingShard(file: indexPath, shard: name) }
            shards.append(Shard(name: name, path: shardPath))
        }
        return Checkpoint(
            directory: directory, shards: shards, index: index, indexPath: indexPath,
            configPath: configBeside(directory))
    }

    static func configBeside(_ directory: String) -> String? {
        let config = Path.join(directory, "config.json")
        return FileSystem.kind(of: config) == .file ? config : nil
    }
}

/// One file of a checkpoint.
public struct Shard: Sendable, Hashable {
    /// The name as the checkpoint refers to it (relative to the checkpoint folder).
    public var name: String
    /// The path to open.
    public var path: String
}
