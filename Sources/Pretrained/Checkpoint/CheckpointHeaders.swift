/// The headers of every shard of a checkpoint, checked against each other and the index.
public struct CheckpointHeaders: Sendable {
    /// One shard's validated header and file size.
    public struct Entry: Sendable {
        public var shard: Shard
        public var header: SafetensorsHeader
        /// The size of the file on disk (compressed, for a compressed shard).
        public var fileSize: Int
        /// The open reader of a compressed shard (its frames found, its header decoded), which
        /// decodes its data; `nil` for a plain shard.
        public var compressed: CompressedShardReader?
    }

    /// The checkpoint the headers belong to.
    public var checkpoint: Checkpoint
    /// Each shard's header, in shard order.
    public var entries: [Entry]

    /// Reads every shard's header (no tensor data: a compressed shard's frames are located and
    /// only its header is decoded) and checks that no tensor is held by two shards and that each
    /// tensor the index names is in the shard it names.
    ///
    /// - Throws: header errors naming the shard, `.tensorInTwoShards`, `.tensorNotInShard`.
    public static func read(_ checkpoint: Checkpoint) throws(PretrainedError) -> CheckpointHeaders {
        var entries: [Entry] = []
        for shard in checkpoint.shards { entries.append(try readEntry(shard)) }
        // One shard's header already has distinct names; only several shards or an index need the map.
        guard entries.count > 1 || checkpoint.index != nil else {
            return CheckpointHeaders(checkpoint: checkpoint, entries: entries)
        }
        var owner: [String: String] = [:]
        owner.reserveCapacity(entries.reduce(0) { $0 + $1.header.tensors.count })
        for entry in entries {
            for info in entry.header.tensors {
                if let first = owner.updateValue(entry.shard.name, forKey: info.name) {
                    throw .tensorInTwoShards(tensor: info.name, first: first, second: entry.shard.name)
                }
            }
        }
        if let index = checkpoint.index {
            for (tensor, shard) in index.weightMap where owner[tensor] != shard {
                throw .tensorNotInShard(file: checkpoint.indexPath ?? shard, tensor: tensor, shard: shard)
            }
        }
        return CheckpointHeaders(checkpoint: checkpoint, entries: entries)
    }

    /// One shard's header: read from the file, or decoded from the first frames of a compressed one.
    static func readEntry(_ shard: Shard) throws(PretrainedError) -> Entry {
        if shard.compression != .none {
            let reader = try CompressedShardReader(path: shard.path, compression: shard.compression)
            return Entry(shard: shard, header: reader.header, fileSize: reader.fileSize, compressed: reader)
        }
        let descriptor = try FileDescriptor(readingFrom: shard.path)
        let size = try descriptor.size()
        let header = try SafetensorsFile.readHeader(from: descriptor, fileSize: size)
        return Entry(shard: shard, header: header, fileSize: size, compressed: nil)
    }

    /// Every tensor with the shard that holds it, sorted by name.
    public var tensorsByName: [(info: TensorInfo, shard: Shard)] {
        entries.flatMap { entry in entry.header.tensors.map { ($0, entry.shard) } }.sorted { $0.info.name < $1.info.name }
    }

    /// The sum of every tensor's byte count.
    public var totalBytes: Int {
        entries.reduce(0) { $0 + $1.header.tensors.reduce(0) { $0 + $1.byteCount } }
    }
}
