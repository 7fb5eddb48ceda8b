import Pretrained

/// Checks `CompressedShardReader` on an arbitrary compressed stream.
///
/// The input's first byte picks the codec (even: zstd, odd: lz4) and the rest is the file, so
/// one corpus serves both. Decoding with one thread and with several must agree: the same error,
/// or the same tensors, whose header satisfies `HeaderOracle`'s invariants.
public enum CompressedOracle {
    /// Writes the stream to `input.safetensors.zst` or `.lz4` in `workspace` and decodes it.
    public static func check(_ data: UnsafeRawBufferPointer, in workspace: FuzzWorkspace) throws(InvariantViolation) -> FuzzOutcome {
        guard let selector = data.first else { return .rejected("empty input") }
        let compression: ShardCompression = selector % 2 == 0 ? .zstd : .lz4
        let name = "input.safetensors" + (compression == .zstd ? ".zst" : ".lz4")
        let path: String
        do {
            path = try workspace.write(name, bytes: UnsafeRawBufferPointer(rebasing: data.dropFirst()))
        } catch {
            throw InvariantViolation("could not write the input: \(error)")
        }
        let reader: CompressedShardReader
        do {
            reader = try CompressedShardReader(path: path, compression: compression)
        } catch {
            return .rejected(error.description)
        }
        try HeaderOracle.checkInvariants(reader.header, fileSize: reader.decodedSize)
        let single = Result { () throws(PretrainedError) in try reader.tensors(threads: 1) }
        let several = Result { () throws(PretrainedError) in try reader.tensors(threads: 3) }
        switch (single, several) {
        case let (.failure(a), .failure(b)):
            try require(a == b, "one thread fails with '\(a)', three with '\(b)'")
            return .rejected(a.description)
        case let (.success(a), .success(b)):
            try require(a.map(\.name) == reader.header.tensors.map(\.name), "decoded tensors are not the header's")
            for (x, y) in zip(a, b) {
                let same = x.dtype == y.dtype && x.shape == y.shape
                    && x.withUnsafeBytes { p in y.withUnsafeBytes { q in p.elementsEqual(q) } }
                try require(same, "'\(x.name)' decodes differently with one and three threads")
            }
            return .accepted
        default:
            throw InvariantViolation("one thread \(outcome(single)), three threads \(outcome(several))")
        }
    }

    static func outcome(_ result: Result<[Tensor], PretrainedError>) -> String {
        switch result {
        case .success: return "decodes"
        case .failure(let error): return "fails with '\(error)'"
        }
    }
}
