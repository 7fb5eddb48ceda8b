import Foundation
import Testing

@testable import Pretrained

/// A header built to maximize memory, 100 MB (the maximum) of `[0,0,0,…]`, 50 million values, is
/// refused in bounded memory and time, wherever the array stands: as a tensor entry, in an unknown
/// field of an entry (read to the end: the header is valid JSON), as a metadata value; a 100 MB
/// string in an unknown field too. Measured in a child process as the growth of the peak resident
/// set while `SafetensorsHeader.parse` reads the header from memory (written before the
/// measurement starts). As a JSON tree, the array took 1.7 GB.
@Suite struct HeaderMemoryTests {
    #if os(Linux)
    /// Where the 100 MB value stands, and the error that refuses the header.
    enum Variant: String, CaseIterable {
        case tensorArray, unknownFieldArray, metadataArray, unknownFieldString

        /// The JSON before and after the value.
        var frame: (prefix: String, suffix: String) {
            switch self {
            case .tensorArray: return (#"{"a":"#, "}")
            case .unknownFieldArray, .unknownFieldString: return (#"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4],"x":"#, "}}")
            case .metadataArray: return (#"{"__metadata__":{"k":"#, "}}")
            }
        }

        /// The header, exactly `SafetensorsHeader.maximumLength` bytes.
        var header: [UInt8] {
            let (prefix, suffix) = frame
            let length = Int(SafetensorsHeader.maximumLength) - prefix.utf8.count - suffix.utf8.count
            var value: [UInt8]
            if self == .unknownFieldString {
                value = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                value[0] = UInt8(ascii: "\"")
            } else {
                // "[", spaces to make up the length, "0,0,…,0" (filled two bytes at a time), "]".
                let zeros = (length - 1) / 2
                value = [UInt8(ascii: "[")] + repeatElement(UInt8(ascii: " "), count: length - 2 * zeros - 1)
                value += [UInt16](repeating: UInt16(UInt8(ascii: "0")) | UInt16(UInt8(ascii: ",")) << 8, count: zeros)
                    .withUnsafeBytes { Array($0) }
            }
            value[length - 1] = self == .unknownFieldString ? UInt8(ascii: "\"") : UInt8(ascii: "]")
            return Array(prefix.utf8) + value + Array(suffix.utf8)
        }

        func isExpected(_ error: PretrainedError) -> Bool {
            switch self {
            case .tensorArray: return error == .invalidTensorInfo(file: "big", tensor: "a", reason: "is not a JSON object")
            case .unknownFieldArray, .unknownFieldString: return error == .dataSizeMismatch(file: "big", expected: 4, actual: 0)
            case .metadataArray: return error == .invalidMetadata(file: "big", reason: "entry 'k' is not a string")
            }
        }
    }

    @Test(arguments: Variant.allCases)
    func aMaximalHeaderIsRefusedInBoundedMemory(variant: Variant) async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) { [name = variant.rawValue as String] in
            // Far below the 100 MB header (and the 1.7 GB its tree took): the parse keeps nothing
            // of the value.
            let limit = 16 << 20
            guard let variant = Variant(rawValue: name) else { exit(2) }
            let header = variant.header
            guard header.count == Int(SafetensorsHeader.maximumLength) else { exit(3) }
            var outcome: PretrainedError?
            let clock = ContinuousClock()
            let started = clock.now
            let growth: Int
            do {
                growth = try PeakMemory.growth {
                    header.withUnsafeBytes { json in
                        do throws(PretrainedError) {
                            _ = try SafetensorsHeader.parse(json: json, fileSize: 8 + json.count, file: "big")
                        } catch {
                            outcome = error
                        }
                    }
                }
            } catch {
                exit(4)
            }
            let elapsed = clock.now - started
            FileHandle.standardError.write(Data(("\(name): peak resident growth \(growth >> 10) KiB (limit \(limit >> 20) MiB) "
                + "in \(elapsed), \(outcome.map { "\($0)" } ?? "accepted")\n").utf8))
            guard let outcome, variant.isExpected(outcome) else { exit(5) }
            if growth > limit { exit(1) }
        }
        if let output = result?.standardErrorContent {
            print(String(decoding: output, as: UTF8.self), terminator: "")
        }
    }
    #endif
}
