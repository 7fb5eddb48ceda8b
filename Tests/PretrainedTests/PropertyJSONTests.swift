import PropertyBased
import PretrainedFuzzTargets
import Testing
@testable import Pretrained

/// Random JSON documents survive serializing and parsing, and the parser's oracle holds on them.
@Suite struct PropertyJSONTests {
    /// Random JSON values up to depth 4: every scalar kind, hostile strings, extreme numbers.
    static let values = Generator<JSONValue, Shrink.None<JSONValue>>(run: { random in
        PropertyJSONTests.randomValue(depth: 0, using: &random)
    })

    static func randomValue(depth: Int, using random: inout some RandomNumberGenerator) -> JSONValue {
        let kind = Int.random(in: 0..<(depth < 4 ? 8 : 6), using: &random)
        switch kind {
        case 0: return .null
        case 1: return .bool(random.chance(0.5))
        case 2: return .int(random.pick([0, -1, 1, Int.max, Int.min, Int.random(in: Int.min...Int.max, using: &random)]))
        case 3:
            let special: [Double] = [0, -0.0, 1.5, -2.25e-308, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e20, 0.1]
            let bits = Double(bitPattern: random.next())
            return .double(random.chance(0.5) || !bits.isFinite ? random.pick(special) : bits)
        case 4, 5:
            return .string(SyntheticCheckpoint.randomText(length: 0...12, using: &random))
        case 6:
            return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(depth: depth + 1, using: &random) })
        default:
            return .object((0..<Int.random(in: 0...4, using: &random)).map { _ in
                (key: SyntheticCheckpoint.randomText(length: 0...6, using: &random), value: randomValue(depth: depth + 1, using: &random))
            })
        }
    }

    @Test func serializedValuesParseBackUnchanged() async {
        await propertyCheck(count: 1000, input: Self.values) { value in
            for pretty in [false, true] {
                let text = value.serialized(pretty: pretty)
                let parsed = try JSONParser.parse(Array(text.utf8))
                #expect(parsed == value, "\(text)")
                #expect(parsed.serialized(pretty: pretty) == text)
                let outcome = Array(text.utf8).withUnsafeBytes { try? JSONOracle.check($0) }
                #expect(outcome == .accepted, "\(text)")
            }
        }
    }
}
