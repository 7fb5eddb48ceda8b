@testable import Pretrained

/// Byte-level mutants of a seed: truncation, extension, length prefix, bit flips, splices.
extension SafetensorsSeed {
    /// The byte offsets where something starts or ends: the prefix, the header, each tensor.
    var boundaries: Set<Int> {
        var offsets = Set(0...9)
        let dataStart = 8 + headerLength
        for offset in [dataStart, bytes.count] + entries.flatMap({ [dataStart + $0.begin, dataStart + $0.end] }) {
            offsets.formUnion([offset - 1, offset, offset + 1])
        }
        return offsets.filter { $0 >= 0 && $0 <= bytes.count }
    }

    /// The file cut at every boundary and at every byte of the header, each with its exact error.
    func truncations() -> [Mutant] {
        let lengths = boundaries.union(8...(8 + headerLength)).filter { $0 < bytes.count }.sorted()
        return lengths.map { length in
            let expectation: Expectation
            let (h, d) = (UInt64(headerLength), data.count)
            if length < 8 {
                expectation = .error { .fileTooSmall(file: $0, size: length) }
            } else if length < 8 + headerLength {
                expectation = .error { .headerBeyondFile(file: $0, length: h, fileSize: length) }
            } else {
                expectation = .error { .dataSizeMismatch(file: $0, expected: d, actual: length - 8 - Int(h)) }
            }
            return Mutant(family: "truncate", detail: "to \(length) of \(bytes.count) bytes", bytes: Array(bytes[..<length]),
                          expectation: expectation)
        }
    }

    /// Bytes appended after the data: always trailing bytes.
    func extensions(using random: inout SplitMix64) -> [Mutant] {
        let d = data.count
        return [1, 7, 8, 4096, Int.random(in: 2...300, using: &random)].map { extra in
            Mutant(family: "extend", detail: "by \(extra) bytes", bytes: bytes + SplitMix64.bytes(extra, seed: random.next()),
                   expectation: .error { .dataSizeMismatch(file: $0, expected: d, actual: d + extra) })
        }
    }

    /// The length prefix rewritten; every value but the true one must be rejected.
    func lengthPrefixes(using random: inout SplitMix64) -> [Mutant] {
        let h = UInt64(headerLength)
        let size = UInt64(bytes.count)
        let values: [UInt64] = [0, 1, 2, 3, h - 1, h + 1, h + 8, size - 8, size - 7, size, 99_999_999, 100_000_000,
                                100_000_001, 1 << 32, 1 << 63, UInt64(Int.max), UInt64.max, UInt64.random(in: 0...size, using: &random)]
        return values.filter { $0 != h }.map { value in
            var mutated = bytes
            withUnsafeBytes(of: value.littleEndian) { mutated.replaceSubrange(0..<8, with: $0) }
            let expectation: Expectation
            let count = bytes.count
            if value > 100_000_000 {
                expectation = .error { .headerTooLarge(file: $0, length: value) }
            } else if value > size - 8 {
                expectation = .error { .headerBeyondFile(file: $0, length: value, fileSize: count) }
            } else if value < 2 {
                expectation = .error { .headerTooSmall(file: $0, length: value) }
            } else {
                expectation = .rejected
            }
            return Mutant(family: "length-prefix", detail: "set to \(value) (true \(h))", bytes: mutated, expectation: expectation)
        }
    }

    /// Single bit flips, mostly in the prefix and header; a flip in the data section changes
    /// only values and must still open.
    func bitFlips(_ count: Int, using random: inout SplitMix64) -> [Mutant] {
        let dataStart = 8 + headerLength
        return (0..<count).map { _ in
            let inHeader = random.chance(0.85) || dataStart == bytes.count
            let offset = inHeader ? Int.random(in: 0..<dataStart, using: &random)
                                  : Int.random(in: dataStart..<bytes.count, using: &random)
            let bit = Int.random(in: 0..<8, using: &random)
            var mutated = bytes
            mutated[offset] ^= 1 << bit
            return Mutant(family: "bit-flip", detail: "byte \(offset) bit \(bit)", bytes: mutated,
                          expectation: inHeader ? .anyOutcome : .accepted)
        }
    }

    /// Header bytes replaced with bytes that matter to JSON and UTF-8.
    func byteSubstitutions(_ count: Int, using random: inout SplitMix64) -> [Mutant] {
        let interesting: [UInt8] = Array("{}[]\":,-+.0123456789eE\\ nu".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xED, 0xF4, 0xFF]
        return (0..<count).map { _ in
            let offset = Int.random(in: 8..<(8 + headerLength), using: &random)
            let byte = random.pick(interesting)
            var mutated = bytes
            mutated[offset] = byte
            return Mutant(family: "substitute", detail: "byte \(offset) = 0x\(String(byte, radix: 16))", bytes: mutated,
                          expectation: .anyOutcome)
        }
    }

    /// A span of the header deleted or repeated, with the length prefix kept true.
    func headerSplices(_ count: Int, using random: inout SplitMix64) -> [Mutant] {
        let header = Array(bytes[8..<(8 + headerLength)])
        return (0..<count).map { _ in
            let start = Int.random(in: 0..<header.count, using: &random)
            let end = Int.random(in: start...min(header.count, start + 24), using: &random)
            let repeatSpan = random.chance(0.5)
            var mutated = header
            if repeatSpan {
                mutated.insert(contentsOf: header[start..<end], at: end)
            } else {
                mutated.removeSubrange(start..<end)
            }
            return Mutant(family: "splice", detail: "\(repeatSpan ? "repeat" : "delete") header bytes \(start)..<\(end)",
                          bytes: RawSafetensors.file(headerBytes: mutated, data: data), expectation: .anyOutcome)
        }
    }
}
