extension JSONScanner {
    /// Steps over a string (`index` at its opening quote, then just past its closing quote),
    /// checking what JSON requires: no control characters, valid escapes, UTF-8 content.
    /// Allocates nothing, however long the string.
    ///
    /// - Throws: the first fault; invalid UTF-8 is reported last, at the string's start.
    mutating func scanString() throws(JSONParser.Failure) -> ScannedString {
        index += 1
        let start = index
        var run = start  // where the bytes since the last escape begin
        var runIsASCII = true
        var isUTF8 = true
        var escaped = false
        while true {
            guard let byte = current else { throw failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                if !runIsASCII { isUTF8 = isUTF8 && Self.isUTF8(slice(run..<index)) }
                index += 1
                guard byte == UInt8(ascii: "\\") else {
                    guard isUTF8 else { throw JSONParser.Failure(offset: start, reason: "string is not valid UTF-8") }
                    return ScannedString(content: start..<(index - 1), escaped: escaped)
                }
                _ = try parseEscape()
                escaped = true
                run = index
                runIsASCII = true
            case ..<0x20:
                throw failure("control character in string")
            case 0x80...:
                runIsASCII = false
                index += 1
            default:
                index += 1
            }
        }
    }

    /// Reads a string (`index` at its opening quote) and returns its text.
    mutating func parseString() throws(JSONParser.Failure) -> String {
        try text(of: scanString())
    }

    /// The text of a string `scanString` accepted, with its escapes decoded.
    func text(of string: ScannedString) throws(JSONParser.Failure) -> String {
        guard string.escaped else { return String(decoding: slice(string.content), as: UTF8.self) }
        var decoder = self
        decoder.index = string.content.lowerBound
        var output: [UInt8] = []
        output.reserveCapacity(string.content.count)
        while decoder.index < string.content.upperBound, let byte = decoder.current {
            decoder.index += 1
            if byte == UInt8(ascii: "\\") {
                UTF8.encode(try decoder.parseEscape()) { output.append($0) }
            } else {
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether a string `scanString` accepted reads `text`, deciding without allocating when
    /// the string cannot be it.
    func string(_ string: ScannedString, is text: StaticString) -> Bool {
        text.withUTF8Buffer { expected in
            if !string.escaped { return slice(string.content).elementsEqual(expected) }
            // Each character is at most six bytes escaped (`\uXXXX`).
            guard string.content.count <= 6 * expected.count, let decoded = try? self.text(of: string) else { return false }
            return decoded.utf8.elementsEqual(expected)
        }
    }

    /// Reads the escape after a backslash (`index` just past the backslash).
    mutating func parseEscape() throws(JSONParser.Failure) -> Unicode.Scalar {
        guard let byte = current else { throw failure("unterminated escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
                else { throw failure("lone leading surrogate in escape") }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid trailing surrogate in escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw failure("lone trailing surrogate in escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid unicode escape") }
            return unicode
        default:
            throw failure("invalid escape")
        }
    }

    mutating func parseHex4() throws(JSONParser.Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("unterminated unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in unicode escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
