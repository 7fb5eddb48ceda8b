import Pretrained

/// Checks `JSONParser` on arbitrary bytes.
///
/// An accepted document must be valid UTF-8, hold only finite numbers, nest no deeper than the
/// limit, and read back unchanged after serializing, compact and pretty (compared as bytes, not
/// with `==`, which treats canonically equivalent strings as equal).
public enum JSONOracle {
    /// Parses `data` and checks an accepted document.
    public static func check(_ data: UnsafeRawBufferPointer) throws(InvariantViolation) -> FuzzOutcome {
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            try require(error.offset >= 0 && error.offset <= data.count,
                        "failure offset \(error.offset) outside the \(data.count)-byte input")
            return .rejected(error.description)
        }
        try require(String(validating: data, as: UTF8.self) != nil, "accepted a document that is not UTF-8")
        try require(depth(of: value) <= JSONParser.maximumDepth, "accepted nesting deeper than the limit")
        try require(allNumbersFinite(value), "accepted a number that is not finite")
        for pretty in [false, true] {
            let text = value.serialized(pretty: pretty)
            let again: JSONValue
            do {
                again = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw InvariantViolation("serialized form does not parse: \(error) in \(text.prefix(200))")
            }
            try require(Array(again.serialized(pretty: pretty).utf8) == Array(text.utf8),
                        "serializing and parsing again changed the document: \(text.prefix(200))")
        }
        return .accepted
    }

    /// The nesting depth of arrays and objects (0 for a scalar).
    static func depth(of value: JSONValue) -> Int {
        switch value {
        case .array(let elements): return 1 + (elements.map(depth(of:)).max() ?? 0)
        case .object(let members): return 1 + (members.map { depth(of: $0.value) }.max() ?? 0)
        default: return 0
        }
    }

    static func allNumbersFinite(_ value: JSONValue) -> Bool {
        switch value {
        case .double(let d): return d.isFinite
        case .array(let elements): return elements.allSatisfy(allNumbersFinite)
        case .object(let members): return members.allSatisfy { allNumbersFinite($0.value) }
        default: return true
        }
    }
}
