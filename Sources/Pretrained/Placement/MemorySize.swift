/// Memory sizes written as `accelerate` reads them (`convert_file_size_to_int`), for `--max-memory`.
///
/// ```swift
/// try MemorySize.parse("10GB")     // 10_000_000_000
/// try MemorySize.parse("1.5GiB")   // 1_610_612_736
/// try MemorySize.parse("4096")     // 4096 (plain digits: bytes)
/// ```
///
/// The rules, all `accelerate`'s: `GiB`, `MiB`, `KiB` are powers of 1,024 and `GB`, `MB`, `KB`
/// powers of 1,000, the unit in any letter case; the number may have a fraction or an exponent
/// (Python's `float` syntax, underscores between digits included) and the product is truncated
/// toward zero; a decimal unit whose last letter is a lower-case `b` (`10Gb`, `500mb`) counts bits,
/// so the result is divided by 8. There is no `TB`, and a number without a unit is rejected,
/// except plain digits, which `accelerate` receives as an integer byte count.
package enum MemorySize {
    /// Reads one size.
    ///
    /// - Parameter text: a size such as `10GB`, `1.5GiB`, `500MiB` or `123456`.
    /// - Returns: the size in bytes.
    /// - Throws: `PretrainedError.invalidMaxMemory` for a missing or unknown unit, a number that is
    ///   not one, a negative size or one beyond `Int`.
    public static func parse(_ text: String) throws(PretrainedError) -> Int {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let bytes = Int(text) else { throw invalid(text, "is too large") }
            return bytes
        }
        let upper = text.uppercased()
        let units: [(suffix: String, scale: Double, bits: Bool)] = [
            ("GIB", 1_073_741_824, false), ("MIB", 1_048_576, false), ("KIB", 1024, false),
            ("GB", 1e9, true), ("MB", 1e6, true), ("KB", 1e3, true),
        ]
        guard let unit = units.first(where: { upper.hasSuffix($0.suffix) }) else {
            let accepted = "accelerate accepts GB, MB, KB (powers of 1000), GiB, MiB, KiB (powers of 1024), "
                + "or plain digits for bytes"
            let suffix = String(text.reversed().prefix { $0.isLetter }.reversed())
            if suffix.isEmpty { throw invalid(text, "has no unit: \(accepted)") }
            throw invalid(text, "has the unit '\(suffix)', which is not one: \(accepted); there is no TB")
        }
        let number = String(text.dropLast(unit.suffix.count))
        guard let value = pythonFloat(number) else { throw invalid(text, "'\(number)' is not a number") }
        let product = value * unit.scale
        // Python's int() of the product: truncation toward zero; inf overflows, NaN is refused.
        guard product.isFinite, product > -9.2e18, product < 9.2e18 else { throw invalid(text, "is out of range") }
        let bytes = Int(product)
        guard bytes >= 0 else { throw invalid(text, "is negative") }
        return unit.bits && text.hasSuffix("b") ? bytes / 8 : bytes
    }

    private static func invalid(_ text: String, _ reason: String) -> PretrainedError {
        .invalidMaxMemory(spec: text, reason: "the size '\(text)' \(reason)")
    }

    /// The value of `text` under Python's `float()` for finite decimal literals: surrounding
    /// whitespace, an optional sign, digits with single underscores between them, an optional
    /// fraction and exponent. `inf`, `nan` and hexadecimal forms give `nil`.
    static func pythonFloat(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        var cleaned: [UInt8] = []
        var i = start
        func isDigit(_ index: Int) -> Bool { index < end && bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        /// Digits with single underscores between them; returns how many digits were read.
        func digitPart() -> Int {
            var count = 0
            while isDigit(i) {
                cleaned.append(bytes[i])
                count += 1
                i += 1
                if i < end, bytes[i] == UInt8(ascii: "_"), isDigit(i + 1) { i += 1 }
            }
            return count
        }
        if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            cleaned.append(bytes[i])
            i += 1
        }
        var digits = digitPart()
        if i < end, bytes[i] == UInt8(ascii: ".") {
            cleaned.append(bytes[i])
            i += 1
            digits += digitPart()
        }
        guard digits > 0 else { return nil }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            cleaned.append(bytes[i])
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                cleaned.append(bytes[i])
                i += 1
            }
            guard digitPart() > 0 else { return nil }
        }
        guard i == end else { return nil }
        return Double(String(decoding: cleaned, as: UTF8.self))
    }
}
