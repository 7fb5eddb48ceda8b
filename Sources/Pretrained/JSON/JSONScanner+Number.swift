extension JSONScanner {
    /// Reads a number: an `.int` when written without fraction or exponent and within `Int`,
    /// else a finite `.double`.
    mutating func parseNumber() throws(JSONParser.Failure) -> JSONValue {
        let start = index
        var isInteger = true
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw failure("invalid number") }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = current, isDigit(next) { throw failure("leading zero in number") }
        } else {
            skipDigits()
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let next = current, isDigit(next) else { throw failure("invalid number") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let next = current, isDigit(next) else { throw failure("invalid number") }
            skipDigits()
        }
        let negative = bytes[start] == UInt8(ascii: "-")
        let digits = index - start - (negative ? 1 : 0)
        if isInteger && digits <= 18 {
            // Fast path for the integers headers are made of: no String, no overflow possible.
            var value = 0
            for position in (start + (negative ? 1 : 0))..<index { value = value * 10 + Int(bytes[position] &- 48) }
            return .int(negative ? -value : value)
        }
        let token = slice(start..<index)
        let text = token.count <= Self.longNumberLength
            ? String(decoding: token, as: UTF8.self) : Self.shortened(number: token)
        if isInteger, let value = Int(text) { return .int(value) }
        // serde_json rejects numbers beyond Double's range ("1e999") rather than reading infinity.
        guard let value = Double(text), value.isFinite else { throw failure("number out of range") }
        return .double(value)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while let byte = current, isDigit(byte) { index += 1 }
    }
}
