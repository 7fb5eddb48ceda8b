extension JSONScanner {
    /// Number tokens longer than this many bytes are converted through `shortened(number:)`
    /// instead of a copy of the whole token.
    static let longNumberLength = 1024

    /// The most significant digits `shortened(number:)` keeps.
    static let keptDigits = 800

    /// A number token (already checked against the JSON grammar) rewritten in at most about
    /// 830 bytes that convert to the same `Double`, so that a hostile 100 MB number costs no
    /// 100 MB copy (nor a 100 MB conversion).
    ///
    /// The token's value is `0.d₁d₂…dₙ × 10^e`, with its significant digits `d` (leading and
    /// trailing zeros dropped). Only the first 800 are kept, and a `1` is appended when more
    /// followed (they hold a non-zero digit, the trailing zeros being dropped): every point
    /// where rounding to a `Double` changes (a midpoint between two doubles) has at most 767
    /// significant digits, so the shortened number lies on the same side of each as the token
    /// and rounds to the same value. The exponent is clamped to ±100,000, far beyond where
    /// every value is infinite or zero.
    ///
    /// For example `-0.000` followed by 2,000 times `12` and `e-3` becomes `-0.`, the 800 digits
    /// `1212…12`, then `1e-6`.
    static func shortened(number token: UnsafeRawBufferPointer) -> String {
        let negative = token.first == UInt8(ascii: "-")
        var digits: [UInt8] = []
        digits.reserveCapacity(keptDigits + 1)
        var truncated = false
        var pendingZeros = 0  // zeros after the last non-zero digit, kept only if one follows
        var integerDigits = 0
        var leadingZeros = 0
        var inFraction = false
        var position = negative ? 1 : 0
        func keep(_ byte: UInt8, count: Int) {
            let room = keptDigits - digits.count
            digits.append(contentsOf: repeatElement(byte, count: min(count, room)))
            if count > room { truncated = true }
        }
        scan: while position < token.count {
            let byte = token[position]
            position += 1
            switch byte {
            case UInt8(ascii: "."):
                inFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                break scan
            case UInt8(ascii: "0"):
                if !inFraction { integerDigits += 1 }
                if digits.isEmpty { leadingZeros += 1 } else { pendingZeros += 1 }
            default:
                if !inFraction { integerDigits += 1 }
                keep(UInt8(ascii: "0"), count: pendingZeros)
                pendingZeros = 0
                keep(byte, count: 1)
            }
        }
        guard !digits.isEmpty else { return negative ? "-0" : "0" }
        var exponentNegative = false
        var exponent = 0
        while position < token.count {
            let byte = token[position]
            position += 1
            switch byte {
            case UInt8(ascii: "-"): exponentNegative = true
            case UInt8(ascii: "+"): break
            default: exponent = min(exponent * 10 + Int(byte &- UInt8(ascii: "0")), 1_000_000_000)
            }
        }
        let scale = integerDigits - leadingZeros + (exponentNegative ? -exponent : exponent)
        let clamped = min(max(scale, -100_000), 100_000)
        return (negative ? "-0." : "0.") + String(decoding: digits, as: UTF8.self) + (truncated ? "1" : "")
            + "e" + String(clamped)
    }
}
