import Pretrained

/// The safetensors header rules applied to a whole JSON tree: `JSONParser.parse`, then a walk
/// over the document, as the library read headers before `SafetensorsHeader.parse` became a
/// single streaming pass. The `header` fuzz target and the tests check that pass against it.
///
/// It looks for faults in a fixed order (the document's syntax first, then member by member:
/// repeated fields, `dtype`, `shape`, `data_offsets`), where the streaming reader reports the
/// first fault in document order; on a header with a single fault both name the same error.
///
/// ```swift
/// let reference = HeaderTreeReference.entries(json: json, file: "model.safetensors")
/// ```
public enum HeaderTreeReference {
    /// What a header states, before its layout is checked.
    public struct Entries: Sendable {
        /// The tensor entries in document order.
        public var tensors: [TensorInfo]
        public var metadata: [String: String]
    }

    /// The tensors and metadata the header JSON `json` states, or the first rule it breaks in
    /// the order above; the layout (which needs every entry) is not checked.
    public static func entries(json: UnsafeRawBufferPointer, file: String) -> Result<Entries, PretrainedError> {
        Result { () throws(PretrainedError) in try read(json, file: file) }
    }

    private static func read(_ json: UnsafeRawBufferPointer, file: String) throws(PretrainedError) -> Entries {
        func isUTF8() -> Bool { String(validating: json, as: UTF8.self) != nil }
        guard json.first == UInt8(ascii: "{") else {
            throw isUTF8() ? .headerInvalidStart(file: file) : .headerNotUTF8(file: file)
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(json)
        } catch {
            throw isUTF8() ? .headerInvalidJSON(file: file, reason: error.description) : .headerNotUTF8(file: file)
        }
        var entries = Entries(tensors: [], metadata: [:])
        var seen = Set<String>()
        for (name, value) in document.objectValue ?? [] {
            guard seen.insert(name).inserted else {
                throw name == "__metadata__"
                    ? .invalidMetadata(file: file, reason: "appears more than once") : .duplicateTensor(file: file, tensor: name)
            }
            if name == "__metadata__" {
                entries.metadata = try metadata(value, file: file)
            } else {
                entries.tensors.append(try tensor(name, value, file: file))
            }
        }
        return entries
    }

    private static func metadata(_ value: JSONValue, file: String) throws(PretrainedError) -> [String: String] {
        if value.isNull { return [:] }
        guard let members = value.objectValue else { throw .invalidMetadata(file: file, reason: "is not an object") }
        var metadata: [String: String] = [:]
        for (key, entry) in members {
            guard let text = entry.stringValue else { throw .invalidMetadata(file: file, reason: "entry '\(key)' is not a string") }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw .invalidMetadata(file: file, reason: "entry '\(key)' appears more than once")
            }
        }
        return metadata
    }

    private static func tensor(_ name: String, _ value: JSONValue, file: String) throws(PretrainedError) -> TensorInfo {
        func invalid(_ reason: String) -> PretrainedError { .invalidTensorInfo(file: file, tensor: name, reason: reason) }
        guard let fields = value.objectValue else { throw invalid("is not a JSON object") }
        var known = Set<String>()
        for field in fields where ["dtype", "shape", "data_offsets"].contains(field.key) {
            guard known.insert(field.key).inserted else { throw invalid("has '\(field.key)' more than once") }
        }
        guard let dtypeName = value["dtype"]?.stringValue else { throw invalid("has no string 'dtype'") }
        guard let dtype = DType(rawValue: dtypeName) else { throw .unknownDType(file: file, tensor: name, dtype: dtypeName) }
        guard let dimensions = value["shape"]?.arrayValue else { throw invalid("has no array 'shape'") }
        var shape: [Int] = []
        for dimension in dimensions {
            shape.append(try count(dimension, "shape") { .invalidShape(file: file, tensor: name, reason: $0) })
        }
        guard let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2 else { throw invalid("has no 'data_offsets' pair") }
        let begin = try count(offsets[0], "data_offsets") { invalid("has " + $0) }
        let end = try count(offsets[1], "data_offsets") { invalid("has " + $0) }
        guard begin <= end else { throw .offsetsReversed(file: file, tensor: name, begin: begin, end: end) }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// A shape dimension or an offset; an array or an object is described as `[...]` or `{...}`,
    /// as the streaming reader, which refuses it at its first byte, describes it.
    private static func count(_ value: JSONValue, _ field: String, _ error: (String) -> PretrainedError) throws(PretrainedError) -> Int {
        switch value {
        case .int(let n) where n >= 0: return n
        case .int(let n): throw error("\(field) entry \(n) is negative")
        case .double(let d) where d == d.rounded() && d >= 0x1p63: throw error("\(field) entry \(d) is too large")
        case .double(let d) where d == d.rounded() && d >= 0:
            throw error("\(field) entry \(Int(d)) is written with a fraction or an exponent (\(d)); it must be a plain integer")
        case .double(let d): throw error("\(field) entry \(d) is not an integer")
        case .array: throw error("\(field) entry [...] is not a number")
        case .object: throw error("\(field) entry {...} is not a number")
        default: throw error("\(field) entry \(value.serialized()) is not a number")
        }
    }
}
