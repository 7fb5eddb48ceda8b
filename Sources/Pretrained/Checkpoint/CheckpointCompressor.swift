#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a compressed copy of a checkpoint into another folder: every shard as a compressed
/// shard, the index with the compressed names, and the checkpoint's other JSON files (config,
/// generation config, tokenizer) copied; then decodes every written shard and compares it with
/// the original. Every file is written atomically; the original checkpoint is only read.
///
/// ```swift
/// let checkpoint = try Checkpoint.resolve("gpt2")
/// let result = try CheckpointCompressor.compress(checkpoint, to: "gpt2-zstd",
///                                                options: .init(compression: .zstd, level: 3))
/// print(result.compressedBytes, "of", result.bytes)
/// ```
public enum CheckpointCompressor {
    /// One compressed shard.
    public struct ShardResult: Sendable, Equatable {
        /// The shard's name in the original checkpoint.
        public var name: String
        /// The compressed file's name in the output folder.
        public var compressedName: String
        /// The sizes and frame count.
        public var written: CompressedShardWriter.Result
    }

    /// What was written.
    public struct Result: Sendable, Equatable {
        /// The output folder.
        public var directory: String
        /// The shards, in checkpoint order.
        public var shards: [ShardResult]
        /// The index file written, for a sharded checkpoint.
        public var index: String?
        /// The other files copied (JSON files beside the shards).
        public var copied: [String]
        /// Whether every shard was decoded and compared with its original.
        public var verified: Bool

        /// The plain shards' total size.
        public var bytes: Int { shards.reduce(0) { $0 + $1.written.bytes } }
        /// The compressed shards' total size.
        public var compressedBytes: Int { shards.reduce(0) { $0 + $1.written.compressedBytes } }
    }

    /// The folder `compress` writes to by default: the checkpoint's folder with `-zstd` or `-lz4`
    /// appended (`models/gpt2` -> `models/gpt2-zstd`).
    public static func defaultDirectory(for checkpoint: Checkpoint, compression: ShardCompression) -> String {
        var directory = FileSystem.canonicalPath(checkpoint.directory) ?? checkpoint.directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        return directory + "-" + compression.rawValue
    }

    /// Compresses `checkpoint` into `directory` (created when missing, never the checkpoint's own).
    ///
    /// - Parameters:
    ///   - checkpoint: the plain checkpoint to compress (only read).
    ///   - directory: the output folder.
    ///   - options: codec, level, frame size and threads.
    ///   - verify: decode each written shard and compare it with the original (default).
    /// - Throws: `.invalidCompressionOptions` for bad options or an output folder that is the
    ///   checkpoint's, `.alreadyCompressed`, header errors of the originals, `.verificationFailed`,
    ///   `.io`.
    public static func compress(
        _ checkpoint: Checkpoint, to directory: String, options: CompressedShardWriter.Options, verify: Bool = true
    ) throws(PretrainedError) -> Result {
        try options.validate()
        if let shard = checkpoint.shards.first(where: { $0.compression != .none }) {
            throw .alreadyCompressed(file: shard.path)
        }
        try FileSystem.makeDirectories(directory)
        guard let output = FileSystem.canonicalPath(directory),
            output != FileSystem.canonicalPath(checkpoint.directory)
        else {
            throw .invalidCompressionOptions(
                reason: "the output folder \(directory) is the checkpoint's own folder")
        }
        let fileExtension = options.compression.fileExtensions[0]
        var shards: [ShardResult] = []
        for shard in checkpoint.shards {
            let name = ShardFileNames.plainName(of: shard.name) + fileExtension
            let path = Path.join(directory, name)
            try FileSystem.makeDirectories(Path.directory(of: path))
            let written = try CompressedShardWriter.write(shardAt: shard.path, to: path, options: options)
            if verify {
                try CompressionVerifier.verify(path, against: shard.path, threads: options.threads)
            }
            shards.append(ShardResult(name: shard.name, compressedName: name, written: written))
        }
        var indexName: String?
        if let index = checkpoint.index, let indexPath = checkpoint.indexPath {
            let renamed = Dictionary(uniqueKeysWithValues: shards.map { ($0.name, $0.compressedName) })
            let name = Path.lastComponent(of: indexPath)
            try writeIndex(index, renamed: renamed, to: Path.join(directory, name))
            indexName = name
        }
        let copied = try copyJSONFiles(from: checkpoint, to: directory, except: indexName)
        return Result(directory: directory, shards: shards, index: indexName, copied: copied, verified: verify)
    }

    /// Writes `index` with its shard names replaced by their compressed names.
    private static func writeIndex(
        _ index: CheckpointIndex, renamed: [String: String], to path: String
    ) throws(PretrainedError) {
        var members: [(key: String, value: JSONValue)] = []
        if !index.metadata.isNull { members.append((key: "metadata", value: index.metadata)) }
        let weightMap = index.weightMap.map {
            (key: $0.tensor, value: JSONValue.string(renamed[$0.shard] ?? $0.shard))
        }
        members.append((key: "weight_map", value: .object(weightMap)))
        let text = Array((JSONValue.object(members).serialized(pretty: true) + "\n").utf8)
        try AtomicFile.write(to: path) { (sink) throws(PretrainedError) in try sink.write(text) }
    }

    /// Copies the `.json` files beside the shards (other than the index) into `directory`.
    private static func copyJSONFiles(
        from checkpoint: Checkpoint, to directory: String, except index: String?
    ) throws(PretrainedError) -> [String] {
        var copied: [String] = []
        for name in FileSystem.contents(of: checkpoint.directory) where name.hasSuffix(".json") && name != index {
            let source = Path.join(checkpoint.directory, name)
            guard FileSystem.kind(of: source) == .file else { continue }
            let bytes = try FileContents.read(path: source, limit: FileContents.maximumJSONSize)
            try AtomicFile.write(to: Path.join(directory, name)) { (sink) throws(PretrainedError) in
                try sink.write(bytes.readOnly)
            }
            copied.append(name)
        }
        return copied
    }
}
