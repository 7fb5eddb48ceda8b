@testable import Pretrained

/// Breaking one rule of a valid random header, leaving every other rule kept.
extension RandomHeader {
    mutating func inject(_ fault: Fault, using random: inout SplitMix64) {
        let entries = members.indices.filter { members[$0].key != "__metadata__" }
        guard !fault.needsTensor || !entries.isEmpty else { return }
        let entry = entries.isEmpty ? 0 : random.pick(entries)
        let field = random.pick(["dtype", "shape", "data_offsets"])
        switch fault {
        case .none:
            break
        case .entryNotObject:
            members[entry].value = Self.randomValue(using: &random) { $0.objectValue == nil }
        case .dtypeNotString:
            setField("dtype", of: entry, to: Self.randomValue(using: &random) { $0.stringValue == nil })
        case .unknownDType:
            setField("dtype", of: entry, to: .string(random.pick(["F128", "f32", "", "F32 ", "bfloat16", "I4"])))
        case .shapeNotArray:
            setField("shape", of: entry, to: Self.randomValue(using: &random) { $0.arrayValue == nil })
        case .badDimension:
            var shape = self.field("shape", of: entry)?.arrayValue ?? []
            let bad = badCount(using: &random)
            if shape.isEmpty { shape.append(bad) } else { shape[Int.random(in: 0..<shape.count, using: &random)] = bad }
            setField("shape", of: entry, to: .array(shape))
        case .offsetsNotArray:
            setField("data_offsets", of: entry, to: Self.randomValue(using: &random) { $0.arrayValue == nil })
        case .offsetsNotPair:
            setField("data_offsets", of: entry, to: .array((0..<random.pick([0, 1, 3, 4])).map { _ in .int(0) }))
        case .badOffset:
            var offsets = self.field("data_offsets", of: entry)?.arrayValue ?? []
            offsets[Int.random(in: 0..<2, using: &random)] = badCount(using: &random)
            setField("data_offsets", of: entry, to: .array(offsets))
        case .reversedOffsets:
            let begin = Int.random(in: 1...(dataLength + 8), using: &random)
            setField("data_offsets", of: entry, to: .array([.int(begin), .int(Int.random(in: 0..<begin, using: &random))]))
        case .missingField:
            changeFields(of: entry) { $0.removeAll { $0.key == field } }
        case .repeatedField:
            changeFields(of: entry) { fields in
                guard let i = fields.firstIndex(where: { $0.key == field }) else { return }
                fields.insert(fields[i], at: Int.random(in: (i + 1)...fields.count, using: &random))
            }
        case .repeatedName:
            members.insert(members[entry], at: Int.random(in: (entry + 1)...members.count, using: &random))
        case .metadataNotObject:
            setMetadata(Self.randomValue(using: &random) { $0.objectValue == nil && !$0.isNull })
        case .metadataValueNotString:
            setMetadata(.object([("format", Self.randomValue(using: &random) { $0.stringValue == nil })]))
        case .metadataKeyTwice:
            setMetadata(.object([("format", "pt"), ("other", "x"), ("format", "np")]))
        case .metadataTwice:
            members.append(("__metadata__", .object([])))
            members.insert(("__metadata__", .null), at: Int.random(in: 0..<members.count, using: &random))
        case .layout:
            var offsets = self.field("data_offsets", of: entry)?.arrayValue ?? []
            let shift = Int.random(in: 1...3, using: &random)
            offsets[1] = .int((offsets[1].intValue ?? 0) + shift)
            if random.chance(0.5) { offsets[0] = .int((offsets[0].intValue ?? 0) + shift) }
            setField("data_offsets", of: entry, to: .array(offsets))
        case .trailingCharacters:
            suffix = Array(random.pick([" x", "]", "{}", ",", "\u{0}"]).utf8)
        case .invalidUTF8:
            addUnknownField(to: entry, placeholder([0x22, 0x61, random.pick([0xFF, 0xC0, 0x80, 0xED]), 0x62, 0x22]), using: &random)
        case .numberOutOfRange:
            let token = placeholder(Array(random.pick(["1e999", "-1E400", "1" + String(repeating: "0", count: 400)]).utf8))
            if random.chance(0.5) { addUnknownField(to: entry, token, using: &random) } else { setField("shape", of: entry, to: .array([token])) }
        case .tooDeep:
            let depth = Int.random(in: 127...140, using: &random)  // inside an entry (depth 2): 129 and deeper
            addUnknownField(to: entry, placeholder(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)), using: &random)
        case .badEscape:
            addUnknownField(to: entry, placeholder(Array(random.pick([#""\q""#, #""\ud800""#, #""\u12""#, "\"a\u{1}\""]).utf8)), using: &random)
        }
        detail = "\(fault) at member \(entry) field \(field)"
    }

    /// A random JSON value of which `accept` holds.
    static func randomValue(using random: inout SplitMix64, _ accept: (JSONValue) -> Bool) -> JSONValue {
        while true {
            let value = PropertyJSONTests.randomValue(depth: 2, using: &random)
            if accept(value) { return value }
        }
    }

    /// A value that is not a non-negative integer within `Int`, as a shape entry or an offset.
    mutating func badCount(using random: inout SplitMix64) -> JSONValue {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return .int(-Int.random(in: 1...Int.max, using: &random))
        case 1: return random.pick([.double(2.5), .double(1.0), .double(1e30), .double(-0.5)])
        case 2: return placeholder(Array("18446744073709551616".utf8))
        default: return Self.randomValue(using: &random) { $0.intValue == nil && $0.doubleValue == nil }
        }
    }

    func field(_ name: String, of entry: Int) -> JSONValue? {
        members[entry].value.objectValue?.first { $0.key == name }?.value
    }

    mutating func changeFields(of entry: Int, _ change: (inout [(key: String, value: JSONValue)]) -> Void) {
        guard var fields = members[entry].value.objectValue else { return }
        change(&fields)
        members[entry].value = .object(fields)
    }

    mutating func setField(_ name: String, of entry: Int, to value: JSONValue) {
        changeFields(of: entry) { fields in
            if let i = fields.firstIndex(where: { $0.key == name }) { fields[i].value = value }
        }
    }

    mutating func addUnknownField(to entry: Int, _ value: JSONValue, using random: inout SplitMix64) {
        changeFields(of: entry) { $0.insert(("unknown", value), at: Int.random(in: 0...$0.count, using: &random)) }
    }

    mutating func setMetadata(_ value: JSONValue) {
        members.removeAll { $0.key == "__metadata__" }
        members.append(("__metadata__", value))
    }
}
