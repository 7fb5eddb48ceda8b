/// Text that came from a file or the environment, made safe to print: the one place where the
/// `pretrained` command (and any host printing a `PretrainedError`) escapes what it did not write.
///
/// Names of tensors, shards, architectures and model ids are chosen by whoever made the files. A
/// name holding ESC can drive the terminal, one holding a newline can forge a second `error:`
/// line, and bidirectional overrides can make a name read as another. `escaped` turns each such
/// character into a visible escape, so what reaches the terminal is always exactly the text
/// written, on the lines written:
///
/// ```swift
/// TerminalText.escaped("a\u{1B}[2Jb\nerror: forged")   // "a\u{1B}[2Jb\nerror: forged", escaped
/// ```
///
/// Escapes: `\n`, `\r`, `\t` for those three, `\u{XX}` for every other unsafe scalar (C0 controls,
/// DEL, C1 controls, line and paragraph separators, bidirectional controls, the byte-order mark),
/// and `\xNN` for each byte of invalid UTF-8 (`escaped(bytes:)`). A backslash is left as it is,
/// so escaping is idempotent: escaped text has nothing left to escape.
public enum TerminalText {
    /// Whether `scalar` must not reach a terminal raw.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true  // C0, DEL, C1 (0x9B is CSI in 8-bit terminals)
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }

    /// `text` on one line, every unsafe scalar escaped.
    public static func escaped(_ text: String) -> String {
        guard !isPrintableASCII(text), text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars { append(scalar, to: &output) }
        return output
    }

    /// Bytes that should be UTF-8 (a file name, a raw header string) on one line: unsafe scalars
    /// escaped as `escaped(_:)` does, each byte of an invalid sequence as `\xNN`.
    public static func escaped(bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var output = ""
        var index = 0
        while index < bytes.count {
            var iterator = bytes[index...].makeIterator()
            var decoder = UTF8()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) {
                append(scalar, to: &output)
                index += UTF8.width(scalar)
            } else {
                output += "\\x" + hex(bytes[index], digits: 2)
                index += 1
            }
        }
        return output
    }

    /// Several lines of human-readable output: each line escaped, the line breaks kept.
    public static func escapedLines(_ text: String) -> String {
        guard text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x0A) || $0 >= 0x7F }),
              text.unicodeScalars.contains(where: { isUnsafe($0) && $0 != "\n" }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }
            .joined(separator: "\n")
    }

    /// A serialized JSON document with every unsafe scalar the serializer leaves raw (DEL, C1,
    /// separators, bidirectional controls) written as a `\uXXXX` escape: the same JSON value
    /// (such scalars can only occur inside strings), safe for a terminal. C0 controls are left
    /// alone: the serializer escapes them inside strings, so raw ones are the layout's whitespace.
    public static func json(_ document: String) -> String {
        let escapes = { (scalar: Unicode.Scalar) in scalar.value >= 0x20 && isUnsafe(scalar) }
        guard document.utf8.contains(where: { $0 >= 0x7F }), document.unicodeScalars.contains(where: escapes) else {
            return document
        }
        var output = ""
        output.reserveCapacity(document.utf8.count + 16)
        for scalar in document.unicodeScalars {
            if escapes(scalar) {
                output += "\\u" + hex(scalar.value, digits: 4)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Whether every byte of `text` is printable ASCII (nothing to escape), checked on the bytes.
    private static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func append(_ scalar: Unicode.Scalar, to output: inout String) {
        guard isUnsafe(scalar) else { return output.unicodeScalars.append(scalar) }
        switch scalar {
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        default: output += "\\u{" + hex(scalar.value, digits: 2) + "}"
        }
    }

    private static func hex(_ value: some BinaryInteger, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
