/// Reads the JSON of a safetensors header in one pass, building its tensor entries and metadata
/// as it goes, the way serde's derived deserializer does in the reference crate.
///
/// Each value is checked where it stands, so the first fault in document order is the one
/// reported. A value of the wrong type is refused at its first byte when it is an array or an
/// object; a scalar of the wrong type is read first, so that a malformed one is reported as
/// invalid JSON (as `serde_json` does). Unknown fields of an entry are checked as JSON and
/// skipped without being kept.
///
/// - Complexity: O(*n*) in the header's length; memory O(tensors + shape dimensions + metadata),
///   never proportional to a skipped value.
struct HeaderReader {
    /// What a header states, before its layout is checked.
    struct Entries {
        /// The tensor entries in document order.
        var tensors: [TensorInfo]
        var metadata: [String: String]
    }

    /// The fields of a tensor entry.
    private enum Field: CaseIterable {
        case dtype, shape, dataOffsets

        var name: StaticString {
            switch self {
            case .dtype: return "dtype"
            case .shape: return "shape"
            case .dataOffsets: return "data_offsets"
            }
        }
    }

    /// The fewest bytes a tensor entry takes (`"":{"dtype":"F4","shape":[],"data_offsets":[0,0]}`),
    /// which bounds how many tensors a header can state.
    static let smallestEntryLength = 49

    private typealias Syntax = JSONParser.Failure

    private var scanner: JSONScanner
    private let file: String

    /// Reads the header JSON `json` of the file named `file` (in errors).
    ///
    /// - Throws: the first fault in document order: `headerInvalidStart`, `headerInvalidJSON`,
    ///   `invalidMetadata`, `duplicateTensor`, `invalidTensorInfo`, `unknownDType`,
    ///   `invalidShape` or `offsetsReversed` (the caller classifies a header that is not UTF-8).
    static func read(_ json: UnsafeRawBufferPointer, file: String) throws(PretrainedError) -> Entries {
        var reader = HeaderReader(scanner: JSONScanner(bytes: json), file: file)
        return try reader.readHeader()
    }

    private mutating func readHeader() throws(PretrainedError) -> Entries {
        guard scanner.current == UInt8(ascii: "{") else { throw .headerInvalidStart(file: file) }
        var entries = Entries(tensors: [], metadata: [:])
        // Reserved from the header's length, so that the set never grows and hashes every name
        // again; for a header of few tensors that costs address space, not memory (only the
        // buckets names land in are touched).
        var names = Set<String>(minimumCapacity: scanner.bytes.count / Self.smallestEntryLength)
        var sawMetadata = false
        if try json({ s throws(Syntax) in try s.enter(.object, depth: 1) }) {
            repeat {
                let name = try json { s throws(Syntax) in try s.parseKey() }
                if name == "__metadata__" {
                    guard !sawMetadata else { throw .invalidMetadata(file: file, reason: "appears more than once") }
                    sawMetadata = true
                    entries.metadata = try readMetadata()
                } else {
                    guard names.insert(name).inserted else { throw .duplicateTensor(file: file, tensor: name) }
                    entries.tensors.append(try readEntry(named: name))
                }
            } while try json { s throws(Syntax) in try s.next(in: .object) }
        }
        try json { s throws(Syntax) in try s.finish() }
        return entries
    }

    /// `__metadata__`: `null` or an object of strings.
    private mutating func readMetadata() throws(PretrainedError) -> [String: String] {
        var metadata: [String: String] = [:]
        if try json({ s throws(Syntax) in try s.peekKind() }) == .null {
            try json { s throws(Syntax) in try s.expect("null") }
            return metadata
        }
        guard try valueIs(.object) else { throw .invalidMetadata(file: file, reason: "is not an object") }
        guard try json({ s throws(Syntax) in try s.enter(.object, depth: 2) }) else { return metadata }
        repeat {
            let key = try json { s throws(Syntax) in try s.parseKey() }
            guard metadata[key] == nil else {
                throw .invalidMetadata(file: file, reason: "entry '\(key)' appears more than once")
            }
            guard try valueIs(.string) else { throw .invalidMetadata(file: file, reason: "entry '\(key)' is not a string") }
            metadata[key] = try json { s throws(Syntax) in try s.parseString() }
        } while try json { s throws(Syntax) in try s.next(in: .object) }
        return metadata
    }

    /// A tensor entry: an object with `dtype`, `shape` and `data_offsets`, each exactly once,
    /// and any other fields (skipped).
    private mutating func readEntry(named name: String) throws(PretrainedError) -> TensorInfo {
        guard try valueIs(.object) else { throw .invalidTensorInfo(file: file, tensor: name, reason: "is not a JSON object") }
        var dtype: DType?
        var shape: [Int]?
        var offsets: (begin: Int, end: Int)?
        if try json({ s throws(Syntax) in try s.enter(.object, depth: 2) }) {
            repeat {
                let key = try json { s throws(Syntax) in try s.scanKey() }
                if let field = Field.allCases.first(where: { scanner.string(key, is: $0.name) }) {
                    // As serde's derived `TensorInfo` does: a repeated field is an error, not "last wins".
                    switch field {
                    case .dtype where dtype == nil: dtype = try readDType(of: name)
                    case .shape where shape == nil: shape = try readShape(of: name)
                    case .dataOffsets where offsets == nil: offsets = try readOffsets(of: name)
                    default: throw .invalidTensorInfo(file: file, tensor: name, reason: "has '\(field.name)' more than once")
                    }
                } else {
                    try json { s throws(Syntax) in try s.skipValue(depth: 2) }
                }
            } while try json { s throws(Syntax) in try s.next(in: .object) }
        }
        guard let dtype else { throw .invalidTensorInfo(file: file, tensor: name, reason: "has no string 'dtype'") }
        guard let shape else { throw .invalidTensorInfo(file: file, tensor: name, reason: "has no array 'shape'") }
        guard let offsets else { throw .invalidTensorInfo(file: file, tensor: name, reason: "has no 'data_offsets' pair") }
        guard offsets.begin <= offsets.end else {
            throw .offsetsReversed(file: file, tensor: name, begin: offsets.begin, end: offsets.end)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: offsets.begin..<offsets.end)
    }

    private mutating func readDType(of tensor: String) throws(PretrainedError) -> DType {
        guard try valueIs(.string) else { throw .invalidTensorInfo(file: file, tensor: tensor, reason: "has no string 'dtype'") }
        let text = try json { s throws(Syntax) in try s.parseString() }
        guard let dtype = DType(rawValue: text) else { throw .unknownDType(file: file, tensor: tensor, dtype: text) }
        return dtype
    }

    private mutating func readShape(of tensor: String) throws(PretrainedError) -> [Int] {
        guard try valueIs(.array) else { throw .invalidTensorInfo(file: file, tensor: tensor, reason: "has no array 'shape'") }
        var shape: [Int] = []
        guard try json({ s throws(Syntax) in try s.enter(.array, depth: 3) }) else { return shape }
        repeat {
            shape.append(try readCount(.shape, of: tensor))
        } while try json { s throws(Syntax) in try s.next(in: .array) }
        return shape
    }

    /// `data_offsets`: an array of exactly two counts.
    private mutating func readOffsets(of tensor: String) throws(PretrainedError) -> (begin: Int, end: Int) {
        let notAPair = PretrainedError.invalidTensorInfo(file: file, tensor: tensor, reason: "has no 'data_offsets' pair")
        guard try valueIs(.array) else { throw notAPair }
        guard try json({ s throws(Syntax) in try s.enter(.array, depth: 3) }) else { throw notAPair }
        let begin = try readCount(.dataOffsets, of: tensor)
        guard try json({ s throws(Syntax) in try s.next(in: .array) }) else { throw notAPair }
        let end = try readCount(.dataOffsets, of: tensor)
        guard try !json({ s throws(Syntax) in try s.next(in: .array) }) else { throw notAPair }
        return (begin, end)
    }

    /// A shape dimension or an offset: a non-negative integer that fits `Int`.
    private mutating func readCount(_ field: Field, of tensor: String) throws(PretrainedError) -> Int {
        func refuse(_ problem: String) -> PretrainedError {
            let reason = "\(field.name) entry \(problem)"
            return field == .shape ? .invalidShape(file: file, tensor: tensor, reason: reason)
                : .invalidTensorInfo(file: file, tensor: tensor, reason: "has \(reason)")
        }
        switch try json({ s throws(Syntax) in try s.peekKind() }) {
        case .array: throw refuse("[...] is not a number")
        case .object: throw refuse("{...} is not a number")
        default: break
        }
        switch try json({ s throws(Syntax) in try s.parseValue(depth: 3) }) {
        case .int(let n) where n >= 0:
            return n
        case .int(let n):
            throw refuse("\(n) is negative")
        case .double(let d) where d == d.rounded() && d >= 0x1p63:
            throw refuse("\(d) is too large")
        case .double(let d) where d == d.rounded() && d >= 0:
            throw refuse("\(Int(d)) is written with a fraction or an exponent (\(d)); it must be a plain integer")
        case .double(let d):
            throw refuse("\(d) is not an integer")
        case let value:
            throw refuse("\(value.serialized()) is not a number")
        }
    }

    /// Whether the value at the cursor is of `kind`. A value of another kind is refused at its
    /// first byte when it is an array or an object; a scalar is read first (and a malformed one
    /// is invalid JSON).
    private mutating func valueIs(_ kind: JSONScanner.Kind) throws(PretrainedError) -> Bool {
        let found = try json { s throws(Syntax) in try s.peekKind() }
        guard found != kind else { return true }
        if found != .array && found != .object {
            try json { s throws(Syntax) in try s.skipValue(depth: 0) }  // a scalar: the depth plays no part
        }
        return false
    }

    /// Runs a scanning step, turning a JSON syntax failure into `headerInvalidJSON`.
    private mutating func json<T>(_ step: (inout JSONScanner) throws(Syntax) -> T) throws(PretrainedError) -> T {
        do {
            return try step(&scanner)
        } catch {
            throw .headerInvalidJSON(file: file, reason: error.description)
        }
    }
}
