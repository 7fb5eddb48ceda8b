import Pretrained

extension HeaderOracle {
    /// Checks the outcome of `SafetensorsHeader.parse` (one streaming pass) on the header JSON
    /// `json` against `HeaderTreeReference` (the whole document parsed by `JSONParser`, then
    /// walked):
    /// - an accepted header is a document `JSONParser` accepts, whose tree states the same
    ///   tensors (name bytes, dtype, shape, offsets) and metadata (bytes);
    /// - a document `JSONParser` rejects, or whose entries the tree refuses, is rejected before
    ///   its layout is looked at; entries the tree accepts reach the layout checks;
    /// - the header is refused as not UTF-8, or as not starting with `{`, by both or neither.
    ///
    /// Errors of other kinds may differ: the tree checks a document's syntax before its entries,
    /// the streaming pass stops at the first fault in document order.
    public static func checkAgainstTree(_ outcome: Result<SafetensorsHeader, PretrainedError>, json: UnsafeRawBufferPointer,
                                        file: String) throws(InvariantViolation) {
        let tree = HeaderTreeReference.entries(json: json, file: file)
        let syntaxOK = (try? JSONParser.parse(json)) != nil
        switch (outcome, tree) {
        case (.success(let header), .success(let entries)):
            try require(tensorKeys(header.tensors) == tensorKeys(entries.tensors),
                        "the streaming parse and the tree disagree on the tensors")
            try require(metadataBytes(header.metadata) == metadataBytes(entries.metadata),
                        "the streaming parse and the tree disagree on the metadata")
        case (.success, .failure(let error)):
            throw InvariantViolation("the streaming parse accepted a header the tree refuses: \(error)")
        case (.failure(let error), .success):
            try require(isLayoutError(error), "the tree accepts the entries, the streaming parse refused them: \(error)")
        case (.failure(let error), .failure(let expected)):
            try require(!isLayoutError(error), "the streaming parse reached the layout of entries the tree refuses: \(error)")
            try require(isNotUTF8(error) == isNotUTF8(expected), "UTF-8 verdicts differ: '\(error)' and '\(expected)'")
            try require(isInvalidStart(error) == isInvalidStart(expected), "first-byte verdicts differ: '\(error)' and '\(expected)'")
        }
        if case .success = outcome { try require(syntaxOK, "the streaming parse accepted JSON that JSONParser rejects") }
    }

    /// A tensor entry compared by its name's bytes (`TensorInfo`'s `==` compares names as text,
    /// equal under Unicode canonical equivalence).
    struct TensorKey: Equatable {
        var name: [UInt8]
        var dtype: DType
        var shape: [Int]
        var offsets: Range<Int>
    }

    /// The tensors as keys, in offset order (then by name: zero-sized tensors may share offsets).
    static func tensorKeys(_ tensors: [TensorInfo]) -> [TensorKey] {
        tensors.map { TensorKey(name: Array($0.name.utf8), dtype: $0.dtype, shape: $0.shape, offsets: $0.dataOffsets) }
            .sorted { a, b in
                (a.offsets.lowerBound, a.offsets.upperBound) != (b.offsets.lowerBound, b.offsets.upperBound)
                    ? (a.offsets.lowerBound, a.offsets.upperBound) < (b.offsets.lowerBound, b.offsets.upperBound)
                    : a.name.lexicographicallyPrecedes(b.name)
            }
    }

    /// The metadata as sorted key and value bytes.
    static func metadataBytes(_ metadata: [String: String]) -> [[UInt8]] {
        metadata.map { Array($0.key.utf8) + [0xFF] + Array($0.value.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Whether `error` comes from the layout checks, which run once every entry has been read.
    static func isLayoutError(_ error: PretrainedError) -> Bool {
        switch error {
        case .offsetsHole, .offsetsOverlap, .sizeOverflow, .partialByte, .byteCountMismatch, .dataSizeMismatch: return true
        default: return false
        }
    }

    static func isNotUTF8(_ error: PretrainedError) -> Bool {
        if case .headerNotUTF8 = error { return true }
        return false
    }

    static func isInvalidStart(_ error: PretrainedError) -> Bool {
        if case .headerInvalidStart = error { return true }
        return false
    }
}
