import Testing
@testable import Pretrained

/// Number tokens over 1 KiB are converted through a short rewrite (`JSONScanner.shortened`), so
/// a 100 MB number costs no 100 MB copy; each must read exactly as `Double` reads the whole
/// token, rounding ties and near-ties included, and be refused when that is out of range.
@Suite struct JSONLongNumberTests {
    /// The decimal digits of `base` raised to `exponent`, times `factor`.
    static func digits(_ base: UInt64, _ exponent: Int, times factor: UInt64 = 1) -> String {
        var number: [UInt64] = [1]  // little-endian decimal digits
        for multiplier in repeatElement(base, count: exponent) + [factor] {
            var carry: UInt64 = 0
            for i in number.indices {
                let product = number[i] * multiplier + carry
                number[i] = product % 10
                carry = product / 10
            }
            while carry > 0 {
                number.append(carry % 10)
                carry /= 10
            }
        }
        return String(number.reversed().map { Character(Unicode.Scalar(UInt8(48 + $0))) })
    }

    /// Tokens near the points where rounding changes: exact midpoints between doubles (which
    /// round to even), padded with zeros past 800 significant digits, then nudged by a last digit.
    static var midpoints: [String] {
        let zeros = String(repeating: "0", count: 1200)
        // 2^1024 - 2^970, halfway between the largest double and the first past it.
        let overflow = digits(2, 970, times: (1 << 54) - 1)
        // 2^-1075, half the smallest subnormal; 1 + 2^-53, halfway between 1 and the next double.
        let fiveTo1075 = digits(5, 1075)
        let tiny = "0." + String(repeating: "0", count: 1075 - fiveTo1075.count) + fiveTo1075
        let fiveTo53 = digits(5, 53)
        let one = "1." + String(repeating: "0", count: 53 - fiveTo53.count) + fiveTo53
        var tokens: [String] = []
        for exact in [overflow + "." + zeros, tiny + zeros, one + zeros] {
            tokens += [exact, exact + "1", "-" + exact + "1"]
        }
        tokens.append(String(overflow.dropLast()) + "1." + zeros)  // just below the midpoint: the largest double
        return tokens
    }

    /// Random long tokens: up to 3,000 digits, runs of leading or trailing zeros, a point
    /// anywhere, exponents around the ends of the range.
    static func randomTokens(_ count: Int) -> [String] {
        var random = SplitMix64(seed: 1024)
        func zeros() -> String { String(repeating: "0", count: Int.random(in: 0...1500, using: &random)) }
        return (0..<count).map { _ in
            var text = String((0..<Int.random(in: 1030...3000, using: &random)).map { _ in
                Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &random)))
            })
            if random.chance(0.3) { text += zeros() + (random.chance(0.5) ? "3" : "") }
            if random.chance(0.3) {
                text = "0." + zeros() + text
            } else {
                if text.first == "0" { text = "1" + text.dropFirst() }
                if text.count > 1 && random.chance(0.7) {
                    text.insert(".", at: text.index(text.startIndex, offsetBy: Int.random(in: 1..<text.count, using: &random)))
                }
            }
            if random.chance(0.6) {
                let exponent = random.pick([-1400, -340, -324, -308, -10, 0, 10, 290, 308, 309, 2000]) + Int.random(in: -3...3, using: &random)
                text += random.pick(["e", "E"]) + (exponent >= 0 && random.chance(0.5) ? "+" : "") + String(exponent)
            }
            return (random.chance(0.3) ? "-" : "") + text
        }
    }

    @Test func longNumbersReadAsTheWholeTokenDoes() throws {
        let zeros = String(repeating: "0", count: 1100)
        let tokens = Self.midpoints + Self.randomTokens(300)
            + ["-0." + zeros, "1" + zeros, "1.5e" + zeros + "300", "1.5e-" + zeros + "400", "2E+" + zeros + "308", "-0e" + zeros + "9"]
        var outOfRange = 0
        for token in tokens {
            #expect(token.utf8.count > JSONScanner.longNumberLength)
            let expected = try #require(Double(token), "\(token.prefix(40))")
            if expected.isFinite {
                let value = try JSONParser.parse(Array(token.utf8))
                #expect(value.doubleValue?.bitPattern == expected.bitPattern, "\(token.prefix(60))…\(token.suffix(20)): \(value)")
            } else {
                outOfRange += 1
                #expect(throws: JSONParser.Failure(offset: token.utf8.count, reason: "number out of range")) {
                    try JSONParser.parse(Array(token.utf8))
                }
            }
        }
        #expect(outOfRange >= 5)
    }
}
