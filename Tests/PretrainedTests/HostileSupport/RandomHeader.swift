@testable import Pretrained

/// A random safetensors file (seeded) whose header is valid or has exactly one fault, written
/// with random member and field order, escaped field names, unknown fields holding random JSON
/// values, and metadata anywhere (or none, or `null`).
///
/// ```swift
/// var random = SplitMix64(seed: 7)
/// let header = RandomHeader.random(using: &random)
/// let bytes = header.fileImage  // header.fault says what was broken
/// ```
struct RandomHeader {
    /// The faults `random(using:)` injects, one at a time.
    enum Fault: CaseIterable {
        case none, entryNotObject, dtypeNotString, unknownDType, shapeNotArray, badDimension, offsetsNotArray,
             offsetsNotPair, badOffset, reversedOffsets, missingField, repeatedField, repeatedName, metadataNotObject,
             metadataValueNotString, metadataKeyTwice, metadataTwice, layout, trailingCharacters, invalidUTF8,
             numberOutOfRange, tooDeep, badEscape

        /// Whether the fault needs a tensor entry to break.
        var needsTensor: Bool {
            switch self {
            case .none, .metadataNotObject, .metadataValueNotString, .metadataKeyTwice, .metadataTwice, .trailingCharacters: return false
            default: return true
            }
        }
    }

    var members: [(key: String, value: JSONValue)] = []
    /// The indices of the members whose known field names are written with an escape.
    var escapedEntries: Set<Int> = []
    var dataLength = 0
    /// Raw bytes that replace placeholder strings (`"@@n@@"`, quotes included) in the text.
    var raw: [String: [UInt8]] = [:]
    var suffix: [UInt8] = []
    var pretty = false
    var fault = Fault.none
    /// What the fault changed, to replay it by hand.
    var detail = ""

    /// A header with one random fault (or none, one time in five).
    static func random(using random: inout SplitMix64) -> RandomHeader {
        let fault = random.chance(0.2) ? Fault.none : random.pick(Fault.allCases)
        var header = valid(tensors: Int.random(in: (fault.needsTensor ? 1 : 0)...5, using: &random), using: &random)
        header.fault = fault
        header.inject(fault, using: &random)
        return header
    }

    /// A valid header of `count` tensors.
    static func valid(tensors count: Int, using random: inout SplitMix64) -> RandomHeader {
        var header = RandomHeader()
        header.pretty = random.chance(0.3)
        var names = Set<String>()
        while names.count < count {
            let name = SyntheticCheckpoint.randomName(index: names.count, using: &random)
            guard name != "__metadata__", names.insert(name).inserted else { continue }
            let dtype = random.pick(DType.allCases)
            let shape = SyntheticCheckpoint.randomShape(for: dtype, using: &random)
            let size = dtype.byteCount(elements: shape.reduce(1, *)) ?? 0
            var fields: [(key: String, value: JSONValue)] = [
                ("dtype", .string(dtype.rawValue)), ("shape", .array(shape.map { .int($0) })),
                ("data_offsets", .array([.int(header.dataLength), .int(header.dataLength + size)])),
            ]
            for _ in 0..<(random.chance(0.5) ? Int.random(in: 1...2, using: &random) : 0) {
                let key = random.pick(["extra", "dtypes", "Shape", "data_offset", "", "shape "])
                fields.append((key, PropertyJSONTests.randomValue(depth: 1, using: &random)))
            }
            fields.shuffle(using: &random)
            header.members.append((name, .object(fields)))
            header.dataLength += size
        }
        header.members.shuffle(using: &random)
        header.escapedEntries = Set(header.members.indices.filter { _ in random.chance(0.2) })
        if random.chance(0.7) {
            let metadata: JSONValue = random.chance(0.15) ? .null : .object((0..<Int.random(in: 0...3, using: &random)).map { i in
                ("k\(i)" + SyntheticCheckpoint.randomText(length: 0...3, using: &random),
                 .string(SyntheticCheckpoint.randomText(length: 0...8, using: &random)))
            })
            header.members.insert(("__metadata__", metadata), at: Int.random(in: 0...header.members.count, using: &random))
        }
        return header
    }

    /// The whole file: the header text (placeholders replaced) and a data section of zeros.
    var fileImage: [UInt8] {
        var members = self.members
        var raw = self.raw
        for i in escapedEntries where i < members.count {
            guard case .object(var fields) = members[i].value else { continue }
            for j in fields.indices where ["dtype", "shape", "data_offsets"].contains(fields[j].key) {
                // The first character escaped: `"\u0064type"` reads "dtype".
                let key = fields[j].key
                let escaped = #""\u00"# + String(key.utf8.first ?? 0, radix: 16) + key.dropFirst() + "\""
                fields[j].key = "@@\(raw.count)@@"
                raw[fields[j].key] = Array(escaped.utf8)
            }
            members[i].value = .object(fields)
        }
        var text = Array(JSONValue.object(members).serialized(pretty: pretty).utf8)
        for (placeholder, bytes) in raw {
            text = text.replacing(Array("\"\(placeholder)\"".utf8), with: bytes)
        }
        return RawSafetensors.file(headerBytes: text + suffix, data: [UInt8](repeating: 0, count: dataLength))
    }

    /// A placeholder string that the file image writes as `bytes`.
    mutating func placeholder(_ bytes: [UInt8]) -> JSONValue {
        let key = "@@\(raw.count)@@"
        raw[key] = bytes
        return .string(key)
    }
}
