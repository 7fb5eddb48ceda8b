import Pretrained

/// The output of `pretrained compress`.
enum CompressReport {
    /// Sizes per shard and in total, the ratio, and whether the copy was verified.
    static func json(
        _ result: CheckpointCompressor.Result, options: CompressedShardWriter.Options, seconds: Double
    ) -> JSONValue {
        let shards: [JSONValue] = result.shards.map { shard in
            .object([
                (key: "file", value: .string(shard.name)),
                (key: "compressed_file", value: .string(shard.compressedName)),
                (key: "bytes", value: .int(shard.written.bytes)),
                (key: "compressed_bytes", value: .int(shard.written.compressedBytes)),
                (key: "frames", value: .int(shard.written.frames)),
            ])
        }
        return .object([
            (key: "codec", value: .string(options.compression.rawValue)),
            (key: "level", value: .int(options.level)),
            (key: "frame_size", value: .int(options.frameSize)),
            (key: "directory", value: .string(result.directory)),
            (key: "shards", value: .array(shards)),
            (key: "index", value: result.index.map { .string($0) } ?? .null),
            (key: "copied", value: .array(result.copied.map { .string($0) })),
            (key: "bytes", value: .int(result.bytes)),
            (key: "compressed_bytes", value: .int(result.compressedBytes)),
            (key: "ratio", value: .double(ratio(result))),
            (key: "verified", value: .bool(result.verified)),
            (key: "seconds", value: .double(seconds)),
        ])
    }

    /// A table of shards, then the totals.
    static func table(_ result: CheckpointCompressor.Result, seconds: Double) -> String {
        let rows = result.shards.map { shard in
            [
                shard.compressedName, ByteCount.format(shard.written.bytes),
                ByteCount.format(shard.written.compressedBytes),
                String(shard.written.frames),
            ]
        }
        var lines = [
            TextTable.render(
                header: ["file", "size", "compressed", "frames"], rows: rows, rightAligned: [1, 2, 3])
        ]
        lines.append("")
        if !result.copied.isEmpty || result.index != nil {
            lines.append(
                "also wrote: " + ([result.index].compactMap { $0 } + result.copied).joined(separator: ", "))
        }
        let ratioText = String(Double(Int(ratio(result) * 1000)) / 1000)
        lines.append(
            "total: \(ByteCount.format(result.bytes)) -> \(ByteCount.format(result.compressedBytes)) "
                + "(ratio \(ratioText)), \(result.verified ? "verified" : "not verified"), in \(result.directory) "
                + "(\(String(Double(Int(seconds * 100)) / 100)) s)")
        return lines.joined(separator: "\n")
    }

    /// Plain bytes per compressed byte.
    static func ratio(_ result: CheckpointCompressor.Result) -> Double {
        result.compressedBytes == 0 ? 0 : Double(result.bytes) / Double(result.compressedBytes)
    }
}
