#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A literal that every match of a regular expression contains, found without the regex engine:
/// keys that lack it cannot match, so they skip the search. Swift's `Regex` costs about 1 µs
/// per byte of key searched; a header of long tensor names made a load spend tens of seconds in
/// searches that could not match. With the prefilter a key that cannot match costs a byte search.
struct RegexPrefilter: Sendable {
    /// ASCII literals, one of which every match contains; `nil`: no prefilter (always search).
    let literals: [[UInt8]]?

    /// The prefilter of `patterns` searched as alternatives (a match of any contains its literal).
    init(_ patterns: [String]) {
        var literals: [[UInt8]] = []
        for pattern in patterns {
            guard let literal = Self.requiredLiteral(pattern) else {
                self.literals = nil
                return
            }
            literals.append(literal)
        }
        self.literals = literals
    }

    /// Whether `key` may match: it contains one of the literals (always true without a prefilter).
    func mayMatch(_ key: String) -> Bool {
        guard let literals else { return true }
        var key = key
        return key.withUTF8 { bytes in
            literals.contains { literal in
                Self.contains(UnsafeRawBufferPointer(bytes), literal)
            }
        }
    }

    /// Whether `haystack` contains `needle` (non-empty): `memchr` for its first byte, then `memcmp`.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
        let last = haystack.count - needle.count
        var offset = 0
        return needle.withUnsafeBytes { needleBytes in
            guard let needleBase = needleBytes.baseAddress else { return true }
            while offset <= last {
                guard let found = memchr(base + offset, Int32(needle[0]), last - offset + 1) else { return false }
                offset = base.distance(to: UnsafeRawPointer(found))
                if memcmp(base + offset, needleBase, needle.count) == 0 { return true }
                offset += 1
            }
            return false
        }
    }

    /// The longest run of printable ASCII characters every match of `pattern` contains, read
    /// conservatively: only at the top level (outside groups and classes), a top-level `|` gives
    /// none, a character before `?`, `*` or `{` is optional, escapes other than of punctuation
    /// end a run. `nil` when there is no such run.
    static func requiredLiteral(_ pattern: String) -> [UInt8]? {
        let bytes = Array(pattern.utf8)
        var best: [UInt8] = []
        var run: [UInt8] = []
        var depth = 0
        var i = 0
        func endRun() {
            if run.count > best.count { best = run }
            run.removeAll()
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte >= 0x80 { return best.isEmpty ? nil : best }  // non-ASCII: stop reading
            if depth > 0 {
                switch byte {
                case UInt8(ascii: "\\"): i += 1
                case UInt8(ascii: "("): depth += 1
                case UInt8(ascii: ")"): depth -= 1
                case UInt8(ascii: "["): i = skipClass(bytes, from: i)
                default: break
                }
                i += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "|"):
                return nil
            case UInt8(ascii: "("):
                endRun()
                depth += 1
            case UInt8(ascii: "["):
                endRun()
                i = skipClass(bytes, from: i)
            case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "{"):
                if !run.isEmpty { run.removeLast() }
                endRun()
                if byte == UInt8(ascii: "{") { while i < bytes.count, bytes[i] != UInt8(ascii: "}") { i += 1 } }
                if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "?") || bytes[i + 1] == UInt8(ascii: "+") { i += 1 }
            case UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: ")"):
                endRun()
            case UInt8(ascii: "\\"):
                guard i + 1 < bytes.count else { return nil }
                let next = bytes[i + 1]
                if next < 0x80, next > 0x20, !(next >= 48 && next <= 57), !((next | 0x20) >= 97 && (next | 0x20) <= 122) {
                    run.append(next)  // an escaped punctuation character is itself
                } else {
                    endRun()  // \d, \b, \s, \1, ...
                }
                i += 1
            default:
                if byte < 0x20 || byte == 0x7F { endRun() } else { run.append(byte) }
            }
            i += 1
        }
        endRun()
        return best.isEmpty ? nil : best
    }

    /// The index of the `]` closing the class that opens at `start`.
    private static func skipClass(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start + 1
        if i < bytes.count, bytes[i] == UInt8(ascii: "^") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1 }
        while i < bytes.count, bytes[i] != UInt8(ascii: "]") {
            if bytes[i] == UInt8(ascii: "\\") { i += 1 }
            i += 1
        }
        return i
    }
}
