/// A checkpoint with every shard open: each shard opened and its header parsed exactly once,
/// checked against the other shards and the index. The reading stage consumes the open shards;
/// nothing opens a shard again.
///
/// ```swift
/// let opened = try OpenedCheckpoint.open(Checkpoint.resolve("path/to/llama"))
/// for shard in opened.shards { print(shard.shard.name, shard.header.tensors.count) }
/// ```
public struct OpenedCheckpoint: Sendable {
    /// The checkpoint the shards belong to.
    public var checkpoint: Checkpoint
    /// Each open shard, in shard order.
    public var shards: [OpenedShard]

    /// Opens every shard and reads its header (no tensor data: a plain shard is mapped, or opened
    /// for `pread`, and only its header is parsed; a compressed shard's frames are located and
    /// only its header is decoded), then checks that no tensor is held by two shards and that
    /// each tensor the index names is in the shard it names.
    ///
    /// - Parameters:
    ///   - checkpoint: the resolved checkpoint.
    ///   - backend: how plain shards are read: mapped (`.mmap`, the default) or with `pread`.
    /// - Throws: header errors naming the shard, `.tensorInTwoShards`, `.tensorNotInShard`.
    public static func open(_ checkpoint: Checkpoint, backend: ReadBackend = .mmap) throws(PretrainedError) -> OpenedCheckpoint {
        var shards: [OpenedShard] = []
        for shard in checkpoint.shards { shards.append(try OpenedShard(shard, backend: backend)) }
        // One shard's header already has distinct names; only several shards or an index need the map.
        guard shards.count > 1 || checkpoint.index != nil else {
            return OpenedCheckpoint(checkpoint: checkpoint, shards: shards)
        }
        var owner: [String: String] = [:]
        owner.reserveCapacity(shards.reduce(0) { $0 + $1.header.tensors.count })
        for opened in shards {
            for info in opened.header.tensors {
                if let first = owner.updateValue(opened.shard.name, forKey: info.name) {
                    throw .tensorInTwoShards(tensor: info.name, first: first, second: opened.shard.name)
                }
            }
        }
        if let index = checkpoint.index {
            for (tensor, shard) in index.weightMap where owner[tensor] != shard {
                throw .tensorNotInShard(file: checkpoint.indexPath ?? shard, tensor: tensor, shard: shard)
            }
        }
        return OpenedCheckpoint(checkpoint: checkpoint, shards: shards)
    }

    /// Every tensor with the shard that holds it, sorted by name.
    public var tensorsByName: [(info: TensorInfo, shard: Shard)] {
        shards.flatMap { opened in opened.header.tensors.map { ($0, opened.shard) } }.sorted { $0.info.name < $1.info.name }
    }

    /// The sum of every tensor's byte count.
    public var totalBytes: Int {
        shards.reduce(0) { $0 + $1.header.tensors.reduce(0) { $0 + $1.byteCount } }
    }
}

/// One open shard of a checkpoint: its validated header and the open file that holds its data.
public struct OpenedShard: Sendable {
    /// How the shard's data is reached.
    public enum Contents: Sendable {
        /// A plain safetensors file, mapped or open for `pread`.
        case plain(SafetensorsFile)
        /// A compressed shard, its frames found and its header decoded.
        case compressed(CompressedShardReader)
    }

    /// The shard as the checkpoint names it.
    public var shard: Shard
    /// The open file.
    public var contents: Contents

    /// Opens `shard` and reads its header.
    ///
    /// - Throws: header errors and frame errors naming the shard's path.
    public init(_ shard: Shard, backend: ReadBackend = .mmap) throws(PretrainedError) {
        self.shard = shard
        if shard.compression != .none {
            contents = .compressed(try CompressedShardReader(path: shard.path, compression: shard.compression))
        } else {
            contents = .plain(try SafetensorsFile(path: shard.path, backend: backend))
        }
    }

    /// The validated header (decoded from the first frames of a compressed shard).
    public var header: SafetensorsHeader {
        switch contents {
        case .plain(let file): return file.header
        case .compressed(let reader): return reader.header
        }
    }

    /// The size of the file on disk (compressed, for a compressed shard).
    public var fileSize: Int {
        switch contents {
        case .plain(let file): return file.fileSize
        case .compressed(let reader): return reader.fileSize
        }
    }

    /// The reader of a compressed shard; `nil` for a plain one.
    public var compressed: CompressedShardReader? {
        if case .compressed(let reader) = contents { return reader }
        return nil
    }
}
