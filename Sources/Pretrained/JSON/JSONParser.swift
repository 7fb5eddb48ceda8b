/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// Rejects what `serde_json` rejects: control characters in strings, lone surrogates, leading
/// zeros, trailing commas, anything but whitespace after the value. Nesting is limited so a
/// hostile document cannot exhaust the stack.
package struct JSONParser {
    /// Why a document is not valid JSON, with the byte offset where parsing stopped.
    package struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        package var offset: Int
        package var reason: String
        package var description: String { "\(reason) at byte \(offset)" }
    }

    /// The deepest nesting of arrays and objects accepted (`serde_json` allows 128).
    package static let maximumDepth = 128

    /// Parses one JSON value that spans the whole of `bytes` (surrounding whitespace allowed).
    ///
    /// - Throws: `JSONParser.Failure` naming the offset and the reason.
    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> JSONValue {
        var scanner = JSONScanner(bytes: bytes)
        scanner.skipWhitespace()
        let value = try scanner.parseValue(depth: 0)
        try scanner.finish()
        return value
    }

    /// Parses one JSON value from `bytes`.
    package static func parse(_ bytes: some Sequence<UInt8>) throws(Failure) -> JSONValue {
        let array = Array(bytes)
        return try array.withBytes { (buffer) throws(Failure) in try parse(buffer) }
    }
}

/// Building the document tree.
extension JSONScanner {
    /// Reads the value at `index`, inside a container `depth` deep (0 at the top).
    mutating func parseValue(depth: Int) throws(JSONParser.Failure) -> JSONValue {
        switch try peekKind() {
        case .object: return try parseObject(depth: depth + 1)
        case .array: return try parseArray(depth: depth + 1)
        case .string: return .string(try parseString())
        case .number: return try parseNumber()
        case .true: try expect("true"); return .bool(true)
        case .false: try expect("false"); return .bool(false)
        case .null: try expect("null"); return .null
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParser.Failure) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        guard try enter(.object, depth: depth) else { return .object(members) }
        repeat {
            let key = try parseKey()
            members.append((key, try parseValue(depth: depth)))
        } while try next(in: .object)
        return .object(members)
    }

    mutating func parseArray(depth: Int) throws(JSONParser.Failure) -> JSONValue {
        var elements: [JSONValue] = []
        guard try enter(.array, depth: depth) else { return .array(elements) }
        repeat {
            elements.append(try parseValue(depth: depth))
        } while try next(in: .array)
        return .array(elements)
    }
}
