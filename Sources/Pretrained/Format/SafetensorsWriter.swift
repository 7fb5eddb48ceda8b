/// Writes safetensors files and sharded checkpoints, atomically.
///
/// Files follow the layout Python's `safetensors` writes: tensors ordered by element size
/// (largest first) then name, so every tensor starts at a multiple of its element size, and the
/// header padded with spaces to a multiple of 8 bytes.
///
/// ```swift
/// try SafetensorsWriter.write([embedding, bias], metadata: ["format": "pt"], to: "model.safetensors")
/// ```
public enum SafetensorsWriter {
    /// Writes `tensors` to one file at `path`.
    ///
    /// - Parameters:
    ///   - tensors: tensors with distinct names.
    ///   - metadata: the `__metadata__` map; omitted from the header when `nil`.
    ///   - path: the destination, replaced atomically.
    /// - Throws: `PretrainedError.invalidTensorData` for duplicate names, `.io` for write failures.
    public static func write(_ tensors: [Tensor], metadata: [String: String]? = nil, to path: String) throws(PretrainedError) {
        let ordered = try dataOrder(tensors)
        let header = headerBytes(ordered, metadata: metadata)
        try AtomicFile.write(to: path) { (sink) throws(PretrainedError) in
            var length = UInt64(header.count).littleEndian
            try withBytes(of: &length) { (prefix) throws(PretrainedError) in try sink.write(UnsafeRawBufferPointer(prefix)) }
            try sink.write(header)
            for tensor in ordered {
                try tensor.withUnsafeBytes { (bytes) throws(PretrainedError) in try sink.write(bytes) }
            }
        }
    }

    /// The header JSON for `ordered` tensors laid out back to back, padded to 8 bytes.
    static func headerBytes(_ ordered: [Tensor], metadata: [String: String]?) -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = []
        if let metadata {
            let entries = metadata.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.string($0.value)) }
            members.append((key: "__metadata__", value: .object(entries)))
        }
        var offset = 0
        for tensor in ordered {
            let end = offset + tensor.byteCount
            members.append((key: tensor.name, value: .object([
                (key: "dtype", value: .string(tensor.dtype.rawValue)),
                (key: "shape", value: .array(tensor.shape.map { .int($0) })),
                (key: "data_offsets", value: .array([.int(offset), .int(end)])),
            ])))
            offset = end
        }
        var bytes = Array(JSONValue.object(members).serialized().utf8)
        let padding = (8 - bytes.count % 8) % 8
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        return bytes
    }

    /// The tensors in the order their data is written: element size descending, then name.
    static func dataOrder(_ tensors: [Tensor]) throws(PretrainedError) -> [Tensor] {
        var names = Set<String>()
        for tensor in tensors where !names.insert(tensor.name).inserted {
            throw .invalidTensorData(tensor: tensor.name, reason: "appears more than once in the tensors to write")
        }
        return tensors.sorted { ($1.dtype.bitSize, $0.name) < ($0.dtype.bitSize, $1.name) }
    }
}
