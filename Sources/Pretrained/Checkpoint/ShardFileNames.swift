/// The file names under which a shard may be stored: plain or compressed.
enum ShardFileNames {
    /// Whether `name` is a safetensors file, plain (`.safetensors`) or compressed
    /// (`.safetensors.zst`, `.safetensors.zstd`, `.safetensors.lz4`).
    static func isShard(_ name: String) -> Bool {
        plainName(of: name).hasSuffix(".safetensors")
    }

    /// `name` without a compression extension (`model.safetensors.zst` -> `model.safetensors`).
    static func plainName(of name: String) -> String {
        let compression = ShardCompression(fileName: name)
        guard let suffix = compression.fileExtensions.first(where: { name.hasSuffix($0) }) else { return name }
        return String(name.dropLast(suffix.count))
    }

    /// The names to look for, in order, when a checkpoint refers to a shard as `name`: the name
    /// itself, then its compressed variants (for a plain name) or its plain name (for a
    /// compressed one).
    static func candidates(for name: String) -> [String] {
        let plain = plainName(of: name)
        guard plain == name else { return [name, plain] }
        return [name] + [ShardCompression.zstd, .lz4].flatMap { $0.fileExtensions.map { name + $0 } }
    }
}
