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
    /// Shards may be compressed (`NAME.safetensors.zst`, `.zstd`, `.lz4`): where a plain name is
    /// expected and only a compressed variant exists, the variant is used, and an index naming a
    /// compressed file whose plain version is all there is gets the plain file.
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
            if let single = existingFile(in: path, named: singleFileName) { return fromFile(single) }
            let names = FileSystem.contents(of: path).filter(ShardFileNames.isShard)
            var candidates: [String] = []
            for name in names where !candidates.contains(ShardFileNames.plainName(of: name)) {
                candidates.append(ShardFileNames.plainName(of: name))
            }
            guard candidates.count == 1, let only = existingFile(in: path, named: candidates[0]) else {
                var reason = candidates.isEmpty
                    ? "the folder has no \(indexFileName), \(singleFileName) or other .safetensors file"
                    : "the folder has no \(indexFileName) and several .safetensors files: \(candidates.joined(separator: ", "))"
                let foreign = FileSystem.contents(of: path).lazy.compactMap { name in ForeignFormat(fileName: name).map { (name, $0) } }
                if candidates.isEmpty, let (name, format) = foreign.first {
                    reason += "; it holds \(name): \(format.explanation)"
                }
                throw .noCheckpoint(path: path, reason: reason)
            }
            return fromFile(only)
        case .file:
            if let format = ForeignFormat(fileName: path) { throw .noCheckpoint(path: path, reason: format.explanation) }
            return path.hasSuffix(".json") ? try fromIndex(path, boundary: boundary) : fromFile(path)
        case .other:
            throw .noCheckpoint(path: path, reason: "it is \(FileSystem.describe(path) ?? "not a regular file"), not a regular file or folder")
        case .missing:
            throw .noCheckpoint(path: path, reason: FileSystem.describe(path).map { "it is \($0)" } ?? "no such file or folder")
        }
    }

    /// Resolves a path as `resolve(_:)` does, else a model id (`gpt2`, `org/name`) in the local
    /// Hugging Face cache, offline (`HubCache.checkpoint(of:revision:)`: every file must resolve
    /// inside the repository).
    ///
    /// - Throws: the errors of `resolve(_:boundary:)`; `.noCheckpoint` when a model id is not cached.
    public static func locate(_ source: String, revision: String = "main",
                              cache: HubCache = .default()) throws(PretrainedError) -> Checkpoint {
        HubCache.isCachedModelReference(source) ? try cache.checkpoint(of: source, revision: revision) : try resolve(source)
    }

    static func fromFile(_ file: String) -> Checkpoint {
        let directory = Path.directory(of: file)
        return Checkpoint(
            directory: directory,
            shards: [Shard(name: Path.lastComponent(of: file), path: file, compression: ShardCompression(fileName: file))],
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
            guard let shardPath = existingFile(in: directory, named: name),
                  let canonical = FileSystem.canonicalPath(shardPath) else {
                if let kind = FileSystem.describe(Path.join(directory, name)) {
                    throw .shardNotAFile(file: indexPath, shard: name, kind: kind)
                }
                throw .missingShard(file: indexPath, shard: name)
            }
            guard FileSystem.isInside(canonical, directory: root) else {
                throw .shardOutsideCheckpoint(file: indexPath, shard: name)
            }
            shards.append(Shard(name: name, path: shardPath, compression: ShardCompression(fileName: shardPath)))
        }
        return Checkpoint(
            directory: directory, shards: shards, index: index, indexPath: indexPath,
            configPath: configBeside(directory))
    }

    /// The path of the first of `name`'s plain or compressed variants that is a file in
    /// `directory` (links followed).
    static func existingFile(in directory: String, named name: String) -> String? {
        ShardFileNames.candidates(for: name).lazy.map { Path.join(directory, $0) }.first { FileSystem.kind(of: $0) == .file }
    }

    static func configBeside(_ directory: String) -> String? {
        let config = Path.join(directory, "config.json")
        return FileSystem.kind(of: config) == .file ? config : nil
    }
}

/// One file of a checkpoint.
public struct Shard: Sendable, Hashable {
    /// The name as the checkpoint refers to it (relative to the checkpoint folder). An index
    /// naming `x.safetensors` that is stored as `x.safetensors.zst` keeps the index's name here.
    public var name: String
    /// The path to open.
    public var path: String
    /// How the file at `path` is stored (from its extension; the magic number is checked on read).
    public var compression: ShardCompression

    public init(name: String, path: String, compression: ShardCompression = .none) {
        self.name = name
        self.path = path
        self.compression = compression
    }
}
