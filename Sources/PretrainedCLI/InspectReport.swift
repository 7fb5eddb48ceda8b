import Pretrained

/// The output of `pretrained inspect` for a checkpoint's headers.
enum InspectReport {
    /// The contract's JSON: format, shards, tensors sorted by name, total bytes.
    static func json(_ headers: OpenedCheckpoint) -> JSONValue {
        let shards: [JSONValue] = headers.shards.map { entry in
            .object([
                (key: "file", value: .string(entry.shard.name)),
                (key: "compression", value: .string(entry.shard.compression.rawValue)),
                (key: "bytes", value: .int(entry.fileSize)),
                (key: "metadata", value: .object(entry.header.metadata.sorted { $0.key < $1.key }
                    .map { (key: $0.key, value: JSONValue.string($0.value)) })),
            ])
        }
        let tensors: [JSONValue] = headers.tensorsByName.map { info, shard in
            .object([
                (key: "name", value: .string(info.name)),
                (key: "dtype", value: .string(info.dtype.rawValue)),
                (key: "shape", value: .array(info.shape.map { .int($0) })),
                (key: "shard", value: .string(shard.name)),
                (key: "bytes", value: .int(info.byteCount)),
            ])
        }
        return .object([
            (key: "format", value: "safetensors"),
            (key: "shards", value: .array(shards)),
            (key: "tensors", value: .array(tensors)),
            (key: "total_bytes", value: .int(headers.totalBytes)),
        ])
    }

    /// A human-readable table of tensors in natural order (`layers.2` before `layers.10`), then
    /// shards in file-name order and totals.
    static func table(_ headers: OpenedCheckpoint) -> String {
        let tensors = NaturalOrder.sorted(headers.tensorsByName) { $0.info.name }
        let rows = tensors.map { info, shard in
            [info.name, info.dtype.rawValue, "[" + info.shape.map(String.init).joined(separator: ", ") + "]",
             ByteCount.format(info.byteCount), shard.name]
        }
        var lines = [TextTable.render(header: ["tensor", "dtype", "shape", "size", "shard"], rows: rows,
                                      rightAligned: [3])]
        lines.append("")
        for entry in NaturalOrder.sorted(headers.shards, by: { $0.shard.name }) {
            let metadata = entry.header.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let compression = entry.shard.compression == .none ? "" : " (\(entry.shard.compression.rawValue))"
            lines.append(TerminalText.escaped("shard \(entry.shard.name): \(counted(entry.header.tensors.count, "tensor")), "
                + "\(ByteCount.format(entry.fileSize)) on disk\(compression)"
                + (metadata.isEmpty ? "" : ", metadata " + metadata.joined(separator: " "))))
        }
        lines.append("total: \(counted(rows.count, "tensor")), \(ByteCount.format(headers.totalBytes)) "
            + "(\(counted(headers.totalBytes, "byte"))) in \(counted(headers.shards.count, "shard"))")
        return lines.joined(separator: "\n")
    }
}

/// `count` and `noun`, plural unless the count is one: "1 tensor", "3 tensors".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
