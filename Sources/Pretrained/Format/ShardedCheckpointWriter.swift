/// Writes a checkpoint split into shards, as `transformers`' `save_pretrained` does:
/// `model-00001-of-00003.safetensors`, ... and `model.safetensors.index.json` with
/// `metadata.total_size` and `weight_map`. A checkpoint that fits in one shard is written as a
/// single `model.safetensors` without an index.
public enum ShardedCheckpointWriter {
    /// What was written.
    public struct Result: Sendable, Equatable {
        /// Shard file names, in order.
        public var shards: [String]
        /// The index file name, when there is more than one shard.
        public var index: String?
        /// The sum of the tensors' byte counts.
        public var totalSize: Int
    }

    /// Writes `tensors` into `directory` (created with its parents when missing, as
    /// `save_pretrained` does), each file atomically, the index last.
    ///
    /// - Parameters:
    ///   - tensors: tensors with distinct names; they fill shards in the given order.
    ///   - maxShardBytes: a new shard starts when the next tensor would push the current one past
    ///     this many bytes (a tensor larger than the limit gets a shard of its own).
    ///   - metadata: each shard's `__metadata__` (default `["format": "pt"]`, as `transformers`).
    ///   - directory: the output folder.
    ///   - prefix: the file name stem, `model` by default.
    /// - Throws: `PretrainedError` for duplicate names, a non-positive limit or failed writes.
    @discardableResult
    public static func write(
        _ tensors: [Tensor], maxShardBytes: Int, metadata: [String: String] = ["format": "pt"],
        to directory: String, prefix: String = "model"
    ) throws(PretrainedError) -> Result {
        guard maxShardBytes > 0 else {
            throw .invalidTensorData(tensor: "", reason: "the shard size limit must be positive, not \(maxShardBytes)")
        }
        _ = try SafetensorsWriter.dataOrder(tensors)
        try FileSystem.makeDirectories(directory)
        var groups: [[Tensor]] = [[]]
        var groupBytes = 0
        for tensor in tensors {
            if !groups[groups.count - 1].isEmpty && groupBytes + tensor.byteCount > maxShardBytes {
                groups.append([])
                groupBytes = 0
            }
            groups[groups.count - 1].append(tensor)
            groupBytes += tensor.byteCount
        }
        let totalSize = tensors.reduce(0) { $0 + $1.byteCount }
        if groups.count == 1 {
            let name = prefix + ".safetensors"
            try SafetensorsWriter.write(groups[0], metadata: metadata, to: Path.join(directory, name))
            return Result(shards: [name], index: nil, totalSize: totalSize)
        }
        let width = max(5, String(groups.count).count)
        func padded(_ n: Int) -> String { String(repeating: "0", count: width - String(n).count) + String(n) }
        var shards: [String] = []
        var weightMap: [(String, String)] = []
        for (i, group) in groups.enumerated() {
            let name = "\(prefix)-\(padded(i + 1))-of-\(padded(groups.count)).safetensors"
            try SafetensorsWriter.write(group, metadata: metadata, to: Path.join(directory, name))
            shards.append(name)
            weightMap += group.map { ($0.name, name) }
        }
        let index = JSONValue.object([
            (key: "metadata", value: .object([(key: "total_size", value: .int(totalSize))])),
            (key: "weight_map", value: .object(weightMap.sorted { $0.0 < $1.0 }.map { (key: $0.0, value: .string($0.1)) })),
        ])
        let indexName = prefix + ".safetensors.index.json"
        let text = Array((index.serialized(pretty: true) + "\n").utf8)
        try AtomicFile.write(to: Path.join(directory, indexName)) { (sink) throws(PretrainedError) in try sink.write(text) }
        return Result(shards: shards, index: indexName, totalSize: totalSize)
    }
}
