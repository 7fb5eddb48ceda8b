@testable import Pretrained

/// Structural mutants of the header document: duplicates, encodings, nesting, types, membership.
extension SafetensorsSeed {
    /// The metadata members, or `nil` when the seed has no `__metadata__` object.
    var metadataMembers: [(key: String, value: JSONValue)]? { members.first { $0.key == "__metadata__" }?.value.objectValue }

    /// Repeated tensors, `__metadata__`, fields inside an entry and metadata keys.
    func duplicateKeys() -> [Mutant] {
        var mutants: [Mutant] = []
        for entry in entries {
            let name = entry.name
            guard let i = memberIndex(name), case .object(let fields) = members[i].value else { continue }
            mutants.append(Mutant(family: "duplicate", detail: "tensor '\(name)' twice", bytes: with(members: members + [members[i]]),
                                  expectation: .error { .duplicateTensor(file: $0, tensor: name) }))
            for field in ["dtype", "shape", "data_offsets"] {
                guard let value = fields.first(where: { $0.key == field })?.value else { continue }
                var changed = members
                changed[i].value = .object(fields + [(field, value)])
                mutants.append(Mutant(family: "duplicate", detail: "'\(name)' field \(field) twice", bytes: with(members: changed),
                                      expectation: .error { .invalidTensorInfo(file: $0, tensor: name, reason: "has '\(field)' more than once") }))
            }
            var unknownTwice = members
            unknownTwice[i].value = .object(fields + [("extra", 1), ("extra", 2)])
            mutants.append(Mutant(family: "duplicate", detail: "'\(name)' unknown field twice", bytes: with(members: unknownTwice),
                                  expectation: .accepted))
        }
        let metadata = metadataMembers ?? [("format", "pt")]
        let base = metadataMembers == nil ? [("__metadata__", JSONValue.object(metadata))] + members : members
        mutants.append(Mutant(family: "duplicate", detail: "__metadata__ twice",
                              bytes: with(members: base + [("__metadata__", .object(metadata))]),
                              expectation: .error { .invalidMetadata(file: $0, reason: "appears more than once") }))
        if let key = metadata.first?.key, let i = base.firstIndex(where: { $0.key == "__metadata__" }) {
            var changed = base
            changed[i].value = .object(metadata + [(key, "again")])
            mutants.append(Mutant(family: "duplicate", detail: "__metadata__ key '\(key)' twice", bytes: with(members: changed),
                                  expectation: .error { .invalidMetadata(file: $0, reason: "entry '\(key)' appears more than once") }))
        }
        return mutants
    }

    /// Tensor names made of invalid UTF-8, lone surrogate escapes, or valid escapes.
    func nameEncodings() -> [Mutant] {
        let invalid: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
                                  Array("a".utf8) + [0xFE] + Array("b".utf8)]
        var mutants: [Mutant] = []
        for entry in entries.prefix(4) {
            let name = entry.name
            guard let i = memberIndex(name) else { continue }
            var renamed = members
            renamed[i].key = "@@NAME@@"
            let text = Array(JSONValue.object(renamed).serialized().utf8)
            let placeholder = Array("@@NAME@@".utf8)
            guard let at = (0...(text.count - placeholder.count)).first(where: { Array(text[$0..<($0 + placeholder.count)]) == placeholder })
            else { continue }
            for bytes in invalid {
                var header = text
                header.replaceSubrange(at..<(at + placeholder.count), with: bytes)
                mutants.append(Mutant(family: "utf8", detail: "'\(name)' renamed to bytes \(bytes)",
                                      bytes: RawSafetensors.file(headerBytes: header, data: data),
                                      expectation: .error { .headerNotUTF8(file: $0) }))
            }
            for (escape, expectation) in [(#"\ud800"#, Expectation.errorCase("headerInvalidJSON", tensor: nil)),
                                          (#"\udc00x"#, .errorCase("headerInvalidJSON", tensor: nil)),
                                          (#"\ud83d\ude00"#, .accepted), (#"\u00e9\u0000"#, .accepted)] {
                mutants.append(Mutant(family: "utf8", detail: "'\(name)' renamed to \"\(escape)\"",
                                      bytes: with(members: renamed, raw: ["@@NAME@@": "\"\(escape)\""]),
                                      expectation: expectation))
            }
        }
        return mutants
    }

    /// Arrays and objects nested just within, just beyond and far beyond the depth limit.
    func deepNesting() -> [Mutant] {
        guard let name = entries.first?.name, let i = memberIndex(name), case .object(let fields) = members[i].value else { return [] }
        var mutants: [Mutant] = []
        // The header object is depth 1 and a tensor entry depth 2, so k arrays inside an entry reach 2 + k.
        for (k, accepted) in [(1, true), (126, true), (127, false), (128, false), (5_000, false), (200_000, false)] {
            var changed = members
            changed[i].value = .object(fields + [("nest", "@@TOKEN@@")])
            let arrays = String(repeating: "[", count: k) + String(repeating: "]", count: k)
            mutants.append(Mutant(family: "nesting", detail: "\(k) arrays inside '\(name)'",
                                  bytes: with(members: changed, raw: ["@@TOKEN@@": arrays]),
                                  expectation: accepted ? .accepted : .errorCase("headerInvalidJSON", tensor: nil)))
            let objects = String(repeating: #"{"a":"#, count: k) + "1" + String(repeating: "}", count: k)
            mutants.append(Mutant(family: "nesting", detail: "\(k) objects inside '\(name)'",
                                  bytes: with(members: changed, raw: ["@@TOKEN@@": objects]),
                                  expectation: accepted ? .accepted : .errorCase("headerInvalidJSON", tensor: nil)))
        }
        // An entry that is an array is refused at its first byte, before the nesting is read (as
        // serde's derived deserializer refuses it); inside an unknown field the nesting is read.
        let unclosed = String(repeating: "[", count: 300_000)
        mutants.append(Mutant(family: "nesting", detail: "300000 unclosed arrays", bytes: RawSafetensors.file(header: "{\"a\":" + unclosed),
                              expectation: .error { .invalidTensorInfo(file: $0, tensor: "a", reason: "is not a JSON object") }))
        var changed = members
        changed[i].value = .object(fields + [("nest", "@@TOKEN@@")])
        mutants.append(Mutant(family: "nesting", detail: "300000 unclosed arrays inside '\(name)'",
                              bytes: with(members: changed, raw: ["@@TOKEN@@": unclosed]),
                              expectation: .errorCase("headerInvalidJSON", tensor: nil)))
        return mutants
    }

    /// Entries, metadata and the whole header of the wrong JSON type; leading and trailing bytes.
    func wrongTypes() -> [Mutant] {
        var mutants: [Mutant] = []
        let notObjects: [JSONValue] = [.array([]), .string("x"), .int(1), .null, .bool(false), .double(0.5)]
        for entry in entries.prefix(6) {
            let name = entry.name
            guard let i = memberIndex(name) else { continue }
            for value in notObjects {
                var changed = members
                changed[i].value = value
                mutants.append(Mutant(family: "types", detail: "'\(name)' = \(value.serialized())", bytes: with(members: changed),
                                      expectation: .error { .invalidTensorInfo(file: $0, tensor: name, reason: "is not a JSON object") }))
            }
        }
        let withoutMetadata = members.filter { $0.key != "__metadata__" }
        for value in [JSONValue.int(1), .array([]), .string("pt"), .bool(true)] {
            mutants.append(Mutant(family: "types", detail: "__metadata__ = \(value.serialized())",
                                  bytes: with(members: [("__metadata__", value)] + withoutMetadata),
                                  expectation: .error { .invalidMetadata(file: $0, reason: "is not an object") }))
        }
        mutants.append(Mutant(family: "types", detail: "__metadata__ = null", bytes: with(members: [("__metadata__", .null)] + withoutMetadata),
                              expectation: .accepted))
        for value in [JSONValue.int(1), .null, .array(["pt"]), .object([])] {
            mutants.append(Mutant(family: "types", detail: "__metadata__.format = \(value.serialized())",
                                  bytes: with(members: [("__metadata__", .object([("format", value)]))] + withoutMetadata),
                                  expectation: .error { .invalidMetadata(file: $0, reason: "entry 'format' is not a string") }))
        }
        let text = JSONValue.object(members).serialized()
        let d = data.count
        mutants += [
            Mutant(family: "types", detail: "header is an array", bytes: RawSafetensors.file(header: "[" + text + "]", data: data),
                   expectation: .error { .headerInvalidStart(file: $0) }),
            Mutant(family: "types", detail: "leading space", bytes: RawSafetensors.file(header: " " + text, data: data),
                   expectation: .error { .headerInvalidStart(file: $0) }),
            Mutant(family: "types", detail: "trailing 'x'", bytes: RawSafetensors.file(header: text + "x", data: data),
                   expectation: .errorCase("headerInvalidJSON", tensor: nil)),
            Mutant(family: "types", detail: "trailing whitespace", bytes: RawSafetensors.file(header: text + " \n\t\r", data: data),
                   expectation: .accepted),
            Mutant(family: "types", detail: "trailing NUL", bytes: RawSafetensors.file(header: text + "\u{0}", data: data),
                   expectation: .errorCase("headerInvalidJSON", tensor: nil)),
            Mutant(family: "types", detail: "empty object", bytes: RawSafetensors.file(header: "{}", data: data),
                   expectation: d == 0 ? .accepted : .error { .dataSizeMismatch(file: $0, expected: 0, actual: d) }),
        ]
        return mutants
    }

    /// Tensors removed, renamed, and added.
    func membership() -> [Mutant] {
        var mutants: [Mutant] = []
        for entry in entries {
            let name = entry.name
            guard let i = memberIndex(name) else { continue }
            var removed = members
            removed.remove(at: i)
            mutants.append(Mutant(family: "membership", detail: "'\(name)' removed", bytes: with(members: removed),
                                  expectation: ReferenceLayout.expectation(entries.filter { $0.name != name }, dataLength: data.count)))
            var renamed = members
            renamed[i].key = name + ".renamed\u{2603}"
            mutants.append(Mutant(family: "membership", detail: "'\(name)' renamed", bytes: with(members: renamed), expectation: .accepted))
            if let other = entries.first(where: { $0.name != name })?.name {
                renamed[i].key = other
                mutants.append(Mutant(family: "membership", detail: "'\(name)' renamed to '\(other)'", bytes: with(members: renamed),
                                      expectation: .error { .duplicateTensor(file: $0, tensor: other) }))
            }
            renamed[i].key = "__metadata__"
            mutants.append(Mutant(family: "membership", detail: "'\(name)' renamed to __metadata__", bytes: with(members: renamed),
                                  expectation: .errorCase("invalidMetadata", tensor: nil)))
        }
        for (begin, shape) in [(data.count, [0]), (0, [0, 5]), (data.count, [1]), (data.count / 2, [0])] {
            let added = Entry(name: "added", dtype: .f32, shape: shape, begin: begin, end: begin)
            mutants.append(Mutant(family: "membership", detail: "zero-size tensor added at \(begin) with shape \(shape)",
                                  bytes: with(members: members + [("added", added.json)]),
                                  expectation: ReferenceLayout.expectation(entries + [added], dataLength: data.count)))
        }
        return mutants
    }
}
