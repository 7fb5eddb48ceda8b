extension JSONScanner {
    /// An object or an array.
    enum Container {
        case object, array

        /// The byte that ends it.
        var closing: UInt8 { self == .object ? UInt8(ascii: "}") : UInt8(ascii: "]") }
    }

    /// Steps into the container at `index`, which nests `depth` deep (the outermost value is
    /// 1), and past the whitespace after its opening byte.
    ///
    /// - Returns: `false` when the container is empty (then `index` is past its end).
    /// - Throws: when `depth` is beyond `JSONParser.maximumDepth`.
    mutating func enter(_ container: Container, depth: Int) throws(JSONParser.Failure) -> Bool {
        guard depth <= JSONParser.maximumDepth else { throw failure("nesting deeper than \(JSONParser.maximumDepth)") }
        index += 1
        skipWhitespace()
        guard current == container.closing else { return true }
        index += 1
        return false
    }

    /// Reads an object member's key and the `:` after it; `index` ends at the member's value.
    mutating func scanKey() throws(JSONParser.Failure) -> ScannedString {
        skipWhitespace()
        guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
        let key = try scanString()
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw failure("expected ':'") }
        index += 1
        skipWhitespace()
        return key
    }

    /// Reads an object member's key as text and the `:` after it.
    mutating func parseKey() throws(JSONParser.Failure) -> String {
        try text(of: scanKey())
    }

    /// Steps past the `,` after a member or element (`true`: another follows, `index` is at it)
    /// or past the container's closing byte (`false`).
    mutating func next(in container: Container) throws(JSONParser.Failure) -> Bool {
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            return true
        case container.closing:
            index += 1
            return false
        case nil:
            throw failure("unexpected end of input")
        default:
            throw failure("expected ',' or '\(Character(Unicode.Scalar(container.closing)))'")
        }
    }

    /// Checks the value at `index`, inside a container `depth` deep, and steps past it, keeping
    /// nothing: memory stays constant however large the value (recursion is bounded by
    /// `JSONParser.maximumDepth`).
    mutating func skipValue(depth: Int) throws(JSONParser.Failure) {
        switch try peekKind() {
        case .object:
            guard try enter(.object, depth: depth + 1) else { return }
            repeat {
                _ = try scanKey()
                try skipValue(depth: depth + 1)
            } while try next(in: .object)
        case .array:
            guard try enter(.array, depth: depth + 1) else { return }
            repeat {
                try skipValue(depth: depth + 1)
            } while try next(in: .array)
        case .string:
            _ = try scanString()
        case .number:
            _ = try parseNumber()
        case .true:
            try expect("true")
        case .false:
            try expect("false")
        case .null:
            try expect("null")
        }
    }

    /// Checks that only whitespace follows the document's value.
    mutating func finish() throws(JSONParser.Failure) {
        skipWhitespace()
        guard index == bytes.count else { throw failure("trailing characters after the JSON value") }
    }
}
