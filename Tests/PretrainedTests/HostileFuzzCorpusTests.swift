import Foundation
import PretrainedFuzzTargets
import Testing
@testable import Pretrained

/// Every committed fuzz input (the seed corpus and each crash the fuzzer ever found, kept as
/// `regression-*`) replays through its fuzz target without a violation, in the normal suite.
@Suite struct HostileFuzzCorpusTests {
    static func inputs(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let folder = Bundle.module.resourcePath! + "/FuzzCorpus/" + target.rawValue
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
            (name, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))))
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func committedInputsReplayCleanly(target: FuzzTarget) throws {
        let workspace = try FuzzWorkspace()
        let inputs = try Self.inputs(target)
        #expect(inputs.count >= 5)
        var accepted = 0
        for (name, bytes) in inputs {
            #expect(bytes.count <= target.maximumLength, "\(name) is longer than -max_len")
            let outcome = target.run(bytes, in: workspace)
            #expect(!outcome.isViolation, "\(target.rawValue)/\(name): \(outcome)")
            if outcome == .accepted { accepted += 1 } else { print("corpus \(target.rawValue)/\(name): \(outcome)") }
        }
        print("corpus \(target.rawValue): \(inputs.count) inputs, \(accepted) accepted")
        // The seeds are mostly valid inputs: a target that rejects them all has lost its way.
        #expect(accepted * 2 >= inputs.filter { !$0.name.hasPrefix("regression-") }.count / 2)
    }

    /// The oracles themselves can fail: each flags a hand-made disagreement.
    @Test func oraclesReportViolations() throws {
        // A header whose invariants are broken (built directly, as no parser would).
        let header = SafetensorsHeader(metadata: [:], tensors: [
            TensorInfo(name: "a", dtype: .f32, shape: [2], dataOffsets: 0..<4),
        ], headerLength: 2)
        #expect(throws: InvariantViolation.self) { try HeaderOracle.checkInvariants(header, fileSize: 14) }
        // Streaming outcomes the tree contradicts: accepting an entry that is not an object,
        // refusing well-typed entries for another reason than their layout, reading other tensors.
        let notAnObject = Array(#"{"a":1}"#.utf8), wellTyped = Array(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8)
        let empty = SafetensorsHeader(metadata: [:], tensors: [], headerLength: 7)
        let other = SafetensorsHeader(metadata: [:], tensors: [TensorInfo(name: "b", dtype: .f32, shape: [1], dataOffsets: 0..<4)],
                                      headerLength: wellTyped.count)
        for (outcome, json) in [(Result<SafetensorsHeader, PretrainedError>.success(empty), notAnObject),
                                (.failure(.invalidShape(file: "x", tensor: "a", reason: "")), wellTyped), (.success(other), wellTyped)] {
            let checked = json.withUnsafeBytes { bytes in
                Result { () throws(InvariantViolation) in try HeaderOracle.checkAgainstTree(outcome, json: bytes, file: "x") }
            }
            #expect(throws: InvariantViolation.self) { try checked.get() }
        }
        // A file whose bytes on disk differ from what the oracle was told.
        let workspace = try FuzzWorkspace()
        let valid = RawSafetensors.file(header: #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, data: [1, 2])
        let path = try workspace.write("valid.safetensors", bytes: valid)
        var lie = valid
        lie[lie.count - 1] = 9
        let outcome = lie.withUnsafeBytes { bytes in
            Result { () throws(InvariantViolation) in try SafetensorsOracle.check(path: path, expecting: bytes) }
        }
        #expect(throws: InvariantViolation.self) { try outcome.get() }
    }
}
