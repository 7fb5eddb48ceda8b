/// The validated header of a safetensors file.
///
/// A file is an unsigned 64-bit little-endian header length `n`, `n` bytes of UTF-8 JSON, then
/// the data section. Parsing applies every check of the reference Rust crate, so a header that
/// parses here describes tensors that lie entirely inside the file, cover its data section
/// exactly, and never overlap.
public struct SafetensorsHeader: Sendable {
    /// The largest header length accepted, as in the reference implementation.
    public static let maximumLength: UInt64 = 100_000_000

    /// `__metadata__`, a string-to-string map (empty when absent).
    public var metadata: [String: String]
    /// The tensors in data order (ascending offsets).
    public var tensors: [TensorInfo]
    /// The length of the JSON header in bytes (without the 8-byte prefix).
    public var headerLength: Int
    /// The byte offset in the file where the data section starts: `8 + headerLength`.
    public var dataStart: Int { 8 + headerLength }
    /// The size of the data section in bytes.
    public var dataLength: Int { tensors.last?.dataOffsets.upperBound ?? 0 }

    /// The entry of the tensor named `name`, if any.
    public func tensor(named name: String) -> TensorInfo? {
        tensors.first { $0.name == name }
    }
}

extension SafetensorsHeader {
    /// Reads the header length prefix and checks it against the file size.
    ///
    /// - Parameters:
    ///   - prefix: at least the file's first 8 bytes (fewer means the file is too small).
    ///   - fileSize: the size of the whole file.
    ///   - file: the name used in errors.
    /// - Returns: the header length, guaranteed to lie within the file and within the limit.
    public static func headerLength(prefix: UnsafeRawBufferPointer, fileSize: Int, file: String) throws(PretrainedError) -> Int {
        guard prefix.count >= 8, fileSize >= 8 else {
            throw .fileTooSmall(file: file, size: fileSize)
        }
        let length = UInt64(littleEndian: prefix.loadUnaligned(as: UInt64.self))
        guard length <= maximumLength else { throw .headerTooLarge(file: file, length: length) }
        guard length <= UInt64(fileSize - 8) else {
            throw .headerBeyondFile(file: file, length: length, fileSize: fileSize)
        }
        guard length >= 2 else { throw .headerTooSmall(file: file, length: length) }
        return Int(length)
    }

    /// Parses and validates a header.
    ///
    /// - Parameters:
    ///   - json: the `headerLength` bytes of JSON that follow the length prefix.
    ///   - fileSize: the size of the whole file, to check that the tensors cover the data section.
    ///   - file: the name used in errors.
    /// - Throws: a `PretrainedError` naming the rule the header breaks.
    /// - Complexity: O(*n* log *n*) in the number of tensors.
    public static func parse(json: UnsafeRawBufferPointer, fileSize: Int, file: String) throws(PretrainedError) -> SafetensorsHeader {
        // A document that parses is valid UTF-8: the parser validates every string and accepts
        // only ASCII outside them. So the whole-header UTF-8 check, which the reference runs
        // first, is needed only to classify a failure.
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
        guard case .object(let members) = document else {
            throw .headerInvalidJSON(file: file, reason: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        tensors.reserveCapacity(members.count)
        var seen = Set<String>(minimumCapacity: members.count)
        for (name, value) in members {
            guard seen.insert(name).inserted else {
                throw name == "__metadata__"
                    ? .invalidMetadata(file: file, reason: "appears more than once")
                    : .duplicateTensor(file: file, tensor: name)
            }
            if name == "__metadata__" {
                metadata = try parseMetadata(value, file: file)
            } else {
                tensors.append(try parseTensorInfo(name: name, value: value, file: file))
            }
        }
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        let dataLength = try validateLayout(tensors, file: file)
        let actual = fileSize - 8 - json.count
        guard dataLength == actual else { throw .dataSizeMismatch(file: file, expected: dataLength, actual: actual) }
        return SafetensorsHeader(metadata: metadata, tensors: tensors, headerLength: json.count)
    }

    private static func parseMetadata(_ value: JSONValue, file: String) throws(PretrainedError) -> [String: String] {
        if value.isNull { return [:] }
        guard case .object(let members) = value else {
            throw .invalidMetadata(file: file, reason: "is not an object")
        }
        var metadata: [String: String] = [:]
        for (key, entry) in members {
            guard case .string(let text) = entry else {
                throw .invalidMetadata(file: file, reason: "entry '\(key)' is not a string")
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw .invalidMetadata(file: file, reason: "entry '\(key)' appears more than once")
            }
        }
        return metadata
    }

    private static func parseTensorInfo(name: String, value: JSONValue, file: String) throws(PretrainedError) -> TensorInfo {
        guard case .object(let fields) = value else {
            throw .invalidTensorInfo(file: file, tensor: name, reason: "is not a JSON object")
        }
        // As serde's derived `TensorInfo` does: a repeated known field is an error, not "last wins".
        var known = Set<String>()
        for field in fields where ["dtype", "shape", "data_offsets"].contains(field.key) {
            guard known.insert(field.key).inserted else {
                throw .invalidTensorInfo(file: file, tensor: name, reason: "has '\(field.key)' more than once")
            }
        }
        guard case .string(let dtypeName)? = value["dtype"] else {
            throw .invalidTensorInfo(file: file, tensor: name, reason: "has no string 'dtype'")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw .unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard case .array(let dimensions)? = value["shape"] else {
            throw .invalidTensorInfo(file: file, tensor: name, reason: "has no array 'shape'")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dimensions.count)
        for dimension in dimensions {
            shape.append(try nonNegativeInteger(dimension, file: file, tensor: name, field: "shape"))
        }
        guard case .array(let offsets)? = value["data_offsets"], offsets.count == 2 else {
            throw .invalidTensorInfo(file: file, tensor: name, reason: "has no 'data_offsets' pair")
        }
        let begin = try nonNegativeInteger(offsets[0], file: file, tensor: name, field: "data_offsets")
        let end = try nonNegativeInteger(offsets[1], file: file, tensor: name, field: "data_offsets")
        guard begin <= end else { throw .offsetsReversed(file: file, tensor: name, begin: begin, end: end) }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    private static func nonNegativeInteger(_ value: JSONValue, file: String, tensor: String, field: String) throws(PretrainedError) -> Int {
        switch value {
        case .int(let n) where n >= 0:
            return n
        case .int(let n):
            let reason = "\(field) entry \(n) is negative"
            throw field == "shape" ? .invalidShape(file: file, tensor: tensor, reason: reason)
                : .invalidTensorInfo(file: file, tensor: tensor, reason: "has \(reason)")
        case .double(let d):
            let reason = d == d.rounded() && d > 0
                ? "\(field) entry \(d) is too large" : "\(field) entry \(d) is not an integer"
            throw field == "shape" ? .invalidShape(file: file, tensor: tensor, reason: reason)
                : .invalidTensorInfo(file: file, tensor: tensor, reason: "has \(reason)")
        default:
            let reason = "\(field) entry \(value.serialized()) is not a number"
            throw field == "shape" ? .invalidShape(file: file, tensor: tensor, reason: reason)
                : .invalidTensorInfo(file: file, tensor: tensor, reason: "has \(reason)")
        }
    }

    /// Checks that sorted tensors cover `0..<end` contiguously and that each range matches its
    /// dtype and shape; returns `end`.
    private static func validateLayout(_ tensors: [TensorInfo], file: String) throws(PretrainedError) -> Int {
        var position = 0
        for info in tensors {
            let range = info.dataOffsets
            if range.lowerBound > position {
                throw .offsetsHole(file: file, tensor: info.name, expected: position, found: range.lowerBound)
            }
            if range.lowerBound < position {
                throw .offsetsOverlap(file: file, tensor: info.name, expected: position, found: range.lowerBound)
            }
            position = range.upperBound
            var elements = 1
            for dimension in info.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw .sizeOverflow(file: file, tensor: info.name) }
                elements = product
            }
            let (bits, overflow) = elements.multipliedReportingOverflow(by: info.dtype.bitSize)
            guard !overflow else { throw .sizeOverflow(file: file, tensor: info.name) }
            guard bits % 8 == 0 else { throw .partialByte(file: file, tensor: info.name, bits: bits) }
            guard range.count == bits / 8 else {
                throw .byteCountMismatch(file: file, tensor: info.name, expected: bits / 8, actual: range.count)
            }
        }
        return position
    }
}
