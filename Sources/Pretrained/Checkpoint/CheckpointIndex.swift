/// A sharded checkpoint's index (`model.safetensors.index.json`): which shard holds each tensor.
public struct CheckpointIndex: Sendable {
    /// The index's `metadata` object (for example `total_size`), as parsed.
    public var metadata: JSONValue
    /// Tensor name -> shard file name relative to the index's folder, sorted by tensor name.
    public var weightMap: [(tensor: String, shard: String)]
    /// The distinct shard names in order of first appearance in the weight map.
    public var shardNames: [String]

    /// Parses and validates an index document.
    ///
    /// Shard names must be relative paths that stay inside the checkpoint folder: no absolute
    /// paths, no `..` components, no empty names.
    ///
    /// - Throws: `PretrainedError.invalidIndex` or `.shardOutsideCheckpoint`, naming `file`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(PretrainedError) -> CheckpointIndex {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .invalidIndex(file: file, reason: "not valid JSON: \(error.description)")
        }
        guard case .object = document else { throw .invalidIndex(file: file, reason: "not a JSON object") }
        guard case .object(let entries)? = document["weight_map"] else {
            throw .invalidIndex(file: file, reason: "no 'weight_map' object")
        }
        var seen = Set<String>()
        var shardNames: [String] = []
        var knownShards = Set<String>()
        var weightMap: [(tensor: String, shard: String)] = []
        for (tensor, value) in entries {
            guard seen.insert(tensor).inserted else {
                throw .invalidIndex(file: file, reason: "tensor '\(tensor)' appears more than once in 'weight_map'")
            }
            guard case .string(let shard) = value else {
                throw .invalidIndex(file: file, reason: "the shard of tensor '\(tensor)' is not a string")
            }
            weightMap.append((tensor, shard))
            if knownShards.insert(shard).inserted {
                try validateShardName(shard, file: file)  // once per distinct shard, not per tensor
                shardNames.append(shard)
            }
        }
        weightMap.sort { $0.tensor < $1.tensor }
        return CheckpointIndex(metadata: document["metadata"] ?? .null, weightMap: weightMap, shardNames: shardNames)
    }

    /// Reads and parses the index at `path`.
    public static func read(path: String) throws(PretrainedError) -> CheckpointIndex {
        let bytes = try FileContents.read(path: path, limit: FileContents.maximumJSONSize)
        return try parse(bytes.readOnly, file: path)
    }

    static func validateShardName(_ shard: String, file: String) throws(PretrainedError) {
        guard !shard.isEmpty else { throw .invalidIndex(file: file, reason: "a shard name is empty") }
        let components = shard.split(separator: "/", omittingEmptySubsequences: false)
        if shard.hasPrefix("/") || components.contains("..") || shard.contains("\0") || shard.contains("\\") {
            throw .shardOutsideCheckpoint(file: file, shard: shard)
        }
    }
}
