@testable import Pretrained

/// Structural mutants: the header parsed as JSON, changed in one place, and written back, each with
/// the error the reference rules predict.
extension SafetensorsSeed {
    /// The entries with entry `name` replaced by `change(entry)`.
    func entries(changing name: String, _ change: (inout Entry) -> Void) -> [Entry] {
        entries.map { entry in
            var entry = entry
            if entry.name == name { change(&entry) }
            return entry
        }
    }

    /// A mutant whose header states `entries` (in the seed's document order) and whose expectation
    /// comes from `ReferenceLayout`.
    func layoutMutant(_ family: String, _ detail: String, _ changed: [Entry]) -> Mutant {
        var members = self.members
        for entry in changed {
            if let i = memberIndex(entry.name) { members[i].value = entry.json }
        }
        return Mutant(family: family, detail: detail, bytes: with(members: members),
                      expectation: ReferenceLayout.expectation(changed, dataLength: data.count))
    }

    /// dtypes: unknown names, non-strings, and every other dtype.
    func dtypeRewrites() -> [Mutant] {
        entries.flatMap { entry -> [Mutant] in
            let name = entry.name
            let unknown = ["F128", "f32", "", "F32 ", "BFLOAT16", "float32", "\u{0}"].map { dtype in
                Mutant(family: "dtype", detail: "'\(name)' dtype \(dtype.debugDescription)",
                       bytes: with(members: setting("dtype", of: name, to: .string(dtype))),
                       expectation: .error { .unknownDType(file: $0, tensor: name, dtype: dtype) })
            }
            let mistyped: [JSONValue] = [.int(5), .null, .array(["F32"]), .bool(true), .object([])]
            let wrongType = mistyped.map { value in
                Mutant(family: "dtype", detail: "'\(name)' dtype \(value.serialized())",
                       bytes: with(members: setting("dtype", of: name, to: value)),
                       expectation: .error { .invalidTensorInfo(file: $0, tensor: name, reason: "has no string 'dtype'") })
            }
            let others = DType.allCases.filter { $0 != entry.dtype }.map { dtype in
                layoutMutant("dtype", "'\(name)' dtype \(entry.dtype.rawValue) -> \(dtype.rawValue)",
                             entries(changing: name) { $0.dtype = dtype })
            }
            return unknown + wrongType + others
        }
    }

    /// Shapes: mistyped and negative entries, huge numbers, dimensions changed, added, removed.
    func shapeRewrites(using random: inout SplitMix64) -> [Mutant] {
        entries.flatMap { entry -> [Mutant] in
            let name = entry.name
            let position = entry.shape.isEmpty ? 0 : Int.random(in: 0..<entry.shape.count, using: &random)
            func shape(with value: JSONValue) -> JSONValue {
                var values = entry.shape.map { JSONValue.int($0) }
                if values.isEmpty { values.append(value) } else { values[position] = value }
                return .array(values)
            }
            var mutants: [Mutant] = []
            let invalid: [JSONValue] = [.int(-1), .int(Int.min), .string("2"), .null, .bool(true), .array([]), .object([]),
                                        .double(2.5), .double(1.0), .double(1e30), .double(-0.5)]
            for value in invalid {
                mutants.append(Mutant(family: "shape", detail: "'\(name)' shape[\(position)] = \(value.serialized())",
                                      bytes: with(members: setting("shape", of: name, to: shape(with: value))),
                                      expectation: .errorCase("invalidShape", tensor: name)))
            }
            for (token, expectation) in [("1e999", Expectation.errorCase("headerInvalidJSON", tensor: nil)),
                                         ("-1e999", .errorCase("headerInvalidJSON", tensor: nil)),
                                         ("18446744073709551616", .errorCase("invalidShape", tensor: name)),
                                         ("99999999999999999999999999", .errorCase("invalidShape", tensor: name)),
                                         ("1E2", .errorCase("invalidShape", tensor: name)),
                                         ("01", .errorCase("headerInvalidJSON", tensor: nil)),
                                         ("2.", .errorCase("headerInvalidJSON", tensor: nil))] {
                mutants.append(Mutant(family: "shape", detail: "'\(name)' shape[\(position)] = \(token)",
                                      bytes: with(members: setting("shape", of: name, to: shape(with: "@@TOKEN@@")),
                                                  raw: ["@@TOKEN@@": token]),
                                      expectation: expectation))
            }
            for value in [JSONValue.int(3), .string("[2]"), .null, .object([])] {
                mutants.append(Mutant(family: "shape", detail: "'\(name)' shape = \(value.serialized())",
                                      bytes: with(members: setting("shape", of: name, to: value)),
                                      expectation: .error { .invalidTensorInfo(file: $0, tensor: name, reason: "has no array 'shape'") }))
            }
            let numbers = [0, 1, 2, 3, 7, 1 << 31, 1 << 32, 1 << 62, Int.max]
            for value in numbers {
                mutants.append(layoutMutant("shape", "'\(name)' shape[\(position)] = \(value)", entries(changing: name) {
                    if $0.shape.isEmpty { $0.shape = [value] } else { $0.shape[position] = value }
                }))
                mutants.append(layoutMutant("shape", "'\(name)' shape + [\(value)]", entries(changing: name) { $0.shape.append(value) }))
            }
            mutants.append(layoutMutant("shape", "'\(name)' shape = []", entries(changing: name) { $0.shape = [] }))
            if !entry.shape.isEmpty {
                mutants.append(layoutMutant("shape", "'\(name)' shape drops [\(position)]", entries(changing: name) {
                    $0.shape.remove(at: position)
                }))
            }
            mutants.append(layoutMutant("shape", "'\(name)' shape reversed", entries(changing: name) { $0.shape.reverse() }))
            return mutants
        }
    }

    /// data_offsets: reversed, shifted, random, huge, mistyped, wrong arity.
    func offsetRewrites(using random: inout SplitMix64) -> [Mutant] {
        let limit = data.count + 16
        return entries.flatMap { entry -> [Mutant] in
            let name = entry.name
            var mutants: [Mutant] = []
            var pairs: [(Int, Int)] = [(entry.end, entry.begin), (entry.begin + 1, entry.end), (entry.begin, entry.end + 1),
                                       (entry.begin - 1, entry.end), (entry.begin, entry.end - 1),
                                       (entry.begin + 8, entry.end + 8), (entry.begin - 4, entry.end - 4),
                                       (1 << 62, (1 << 62) + entry.end - entry.begin), (Int.max, Int.max), (0, 0), (0, data.count)]
            for _ in 0..<6 {
                pairs.append((Int.random(in: 0...limit, using: &random), Int.random(in: 0...limit, using: &random)))
            }
            for (begin, end) in pairs where begin >= 0 && end >= 0 && (begin, end) != (entry.begin, entry.end) {
                mutants.append(layoutMutant("offsets", "'\(name)' data_offsets [\(entry.begin), \(entry.end)] -> [\(begin), \(end)]",
                                            entries(changing: name) { $0.begin = begin; $0.end = end }))
            }
            let invalid: [JSONValue] = [.int(-1), .double(2.5), .string("0"), .null, .double(1e30)]
            for value in invalid {
                let offsets = JSONValue.array([value, .int(entry.end)])
                mutants.append(Mutant(family: "offsets", detail: "'\(name)' data_offsets \(offsets.serialized())",
                                      bytes: with(members: setting("data_offsets", of: name, to: offsets)),
                                      expectation: .errorCase("invalidTensorInfo", tensor: name)))
            }
            mutants.append(Mutant(family: "offsets", detail: "'\(name)' data_offsets [-0, end]",
                                  bytes: with(members: setting("data_offsets", of: name, to: .array(["@@TOKEN@@", .int(entry.end)])),
                                              raw: ["@@TOKEN@@": "-0"]),
                                  expectation: ReferenceLayout.expectation(entries(changing: name) { $0.begin = 0 },
                                                                            dataLength: data.count)))
            let arities: [JSONValue] = [.array([.int(entry.begin)]), .array([.int(entry.begin), .int(entry.end), .int(entry.end)]),
                                        .array([]), .string("x"), .null, .object([])]
            for value in arities {
                mutants.append(Mutant(family: "offsets", detail: "'\(name)' data_offsets \(value.serialized())",
                                      bytes: with(members: setting("data_offsets", of: name, to: value)),
                                      expectation: .error { .invalidTensorInfo(file: $0, tensor: name, reason: "has no 'data_offsets' pair") }))
            }
            return mutants
        }
    }
}
