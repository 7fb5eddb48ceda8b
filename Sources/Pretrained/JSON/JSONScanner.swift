/// A cursor over UTF-8 JSON bytes that reads one token at a time and checks it by the rules of
/// `serde_json`: the tree builder (`JSONParser`) and the streaming safetensors header reader
/// (`HeaderReader`) both read through it, so both accept and reject exactly the same text.
///
/// Every read goes through `current` or a range already checked against `bytes`. Scanning a token
/// allocates nothing; only `parseString` (the text) and `parseNumber` (a copy of a fractional or
/// very long token, at most about 1 KiB) do.
struct JSONScanner {
    /// What a value is, as its first byte tells.
    enum Kind: Equatable {
        case object, array, string, number, `true`, `false`, null
    }

    /// A string as it stands between its quotes, already checked.
    struct ScannedString {
        /// The bytes between the quotes.
        var content: Range<Int>
        /// Whether the content holds backslash escapes (then it differs from the string's text).
        var escaped: Bool
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    func failure(_ reason: String) -> JSONParser.Failure {
        JSONParser.Failure(offset: index, reason: reason)
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// The bytes in `range`, which lies within `bytes`.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The kind of the value that starts at `index`.
    ///
    /// - Throws: the failure reading the value would end in when no value can start there.
    func peekKind() throws(JSONParser.Failure) -> Kind {
        guard let byte = current else { throw failure("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw failure("unexpected character")
        }
    }

    mutating func expect(_ literal: StaticString) throws(JSONParser.Failure) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure("unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw failure("invalid literal") }
        index += count
    }

    /// Whether `bytes` are valid UTF-8 (the same rule as `String(validating:as:)`), without copying them.
    static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.withMemoryRebound(to: UInt8.self) { (try? UTF8Span(validating: $0.span)) != nil }
    }
}
