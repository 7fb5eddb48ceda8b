import PretrainedFuzzTargets
import Testing
@testable import Pretrained

/// The streaming header parse (`SafetensorsHeader.parse`) against the decision it replaced
/// (`ReferenceHeader.tree`: the whole document parsed into a tree and walked, then the layout
/// checks). Both must accept the same headers with the same tensors and metadata, and reject the
/// same ones; with a single fault both must name the same error, with several the streaming pass
/// may name another (the first in document order, where the tree checks the syntax first).
/// Every input also passes the `header` fuzz target, whose oracle makes the same comparison.
///
/// Deterministic; `MUTATION_SEED=<n>` explores others. A failure prints the seeds and the header.
@Suite struct HeaderDifferentialTests {
    /// Records a disagreement with what is needed to replay it (at most `limit` in full).
    struct Problems {
        let seed: UInt64
        var count = 0
        let limit = 10

        mutating func record(_ problem: String, _ what: String, bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
            count += 1
            guard count <= limit else { return }
            let header = String(decoding: bytes.dropFirst(8).prefix(600), as: UTF8.self)
            Issue.record("\(problem)\n  MUTATION_SEED=\(seed), \(what)\n  header: \(header)", sourceLocation: sourceLocation)
        }
    }

    /// The fuzz oracle on `bytes`: no violation.
    static func fuzzViolation(_ bytes: [UInt8]) -> String? {
        let result = bytes.withUnsafeBytes { image in
            Result { () throws(InvariantViolation) in try HeaderOracle.check(fileImage: image) }
        }
        if case .failure(let violation) = result { return violation.reason }
        return nil
    }

    @Test func headersWithOneFaultGetExactlyTheTreesOutcome() {
        let seed = mutationSeed(default: 0xD1FF_4EAD)
        var random = SplitMix64(seed: seed)
        var problems = Problems(seed: seed)
        var accepted = 0
        var faults: [String: Int] = [:]
        for index in 0..<3000 {
            let caseSeed = random.next()
            var caseRandom = SplitMix64(seed: caseSeed)
            let header = RandomHeader.random(using: &caseRandom)
            let bytes = header.fileImage
            let what = "case \(index) (seed \(caseSeed)): \(header.detail)"
            let tree = ReferenceHeader.outcome(.tree, fileImage: bytes)
            let streaming = ReferenceHeader.outcome(.streaming, fileImage: bytes)
            if !ReferenceHeader.same(tree, streaming) {
                problems.record("the tree gives \(String(describing: tree)), the streaming parse \(String(describing: streaming))",
                                what, bytes: bytes)
            }
            if let violation = Self.fuzzViolation(bytes) { problems.record("fuzz oracle: \(violation)", what, bytes: bytes) }
            if case .success? = streaming { accepted += 1 }
            faults["\(header.fault)", default: 0] += 1
        }
        print("differential, one fault: 3000 headers, \(accepted) accepted, \(faults.count) kinds of fault")
        #expect(problems.count == 0, "\(problems.count) of 3000 headers disagree")
        #expect(faults.count == RandomHeader.Fault.allCases.count)
        #expect(accepted >= 300, "too few valid headers: \(accepted)")
    }

    @Test func mutatedHeadersGetTheSameVerdictAsTheTree() throws {
        let seed = mutationSeed(default: 0xD1FF_4EAD)
        var random = SplitMix64(seed: seed)
        var problems = Problems(seed: seed)
        var inputs: [(what: String, bytes: [UInt8])] = []
        for (i, file) in try SafetensorsSeed.all().enumerated() {
            for family in MutationSafetensorsTests.Family.allCases {
                for mutant in family.mutants(of: file, using: &random) {
                    inputs.append(("seed \(i) [\(mutant.family)] \(mutant.detail)", mutant.bytes))
                }
            }
        }
        for index in 0..<2000 {
            let caseSeed = random.next()
            var caseRandom = SplitMix64(seed: caseSeed)
            let image = RandomHeader.valid(tensors: Int.random(in: 0...4, using: &caseRandom), using: &caseRandom).fileImage
            let length = Int(image.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            var header = Array(image[8..<(8 + length)])
            let interesting = Array("{}[]\":,-+.0123456789eE\\ nu\u{1}".utf8) + [0x80, 0xC3, 0xFF]
            for _ in 0..<Int.random(in: 1...3, using: &caseRandom) {
                let at = Int.random(in: 0..<max(header.count, 1), using: &caseRandom)
                switch Int.random(in: 0..<3, using: &caseRandom) {
                case 0 where at < header.count: header[at] = caseRandom.pick(interesting)
                case 1 where at < header.count: header.remove(at: at)
                default: header.insert(caseRandom.pick(interesting), at: min(at, header.count))
                }
            }
            inputs.append(("random header \(index) (seed \(caseSeed)), edited", RawSafetensors.file(headerBytes: header, data: Array(image[(8 + length)...]))))
        }
        var (accepted, sameError, precedence) = (0, 0, 0)
        for (what, bytes) in inputs {
            let tree = ReferenceHeader.outcome(.tree, fileImage: bytes)
            let streaming = ReferenceHeader.outcome(.streaming, fileImage: bytes)
            if let violation = Self.fuzzViolation(bytes) { problems.record("fuzz oracle: \(violation)", what, bytes: bytes) }
            if ReferenceHeader.same(tree, streaming) {
                if case .success? = tree { accepted += 1 } else { sameError += 1 }
            } else if case (.failure(let expected)?, .failure(let error)?) = (tree, streaming), Self.mayPrecede(error, expected) {
                precedence += 1
            } else {
                problems.record("the tree gives \(String(describing: tree)), the streaming parse \(String(describing: streaming))",
                                what, bytes: bytes)
            }
        }
        print("differential, mutants: \(inputs.count) inputs, \(accepted) accepted, \(sameError) same error, "
              + "\(precedence) with an earlier fault named")
        #expect(problems.count == 0, "\(problems.count) of \(inputs.count) inputs disagree")
    }

    /// Whether the streaming pass may name `error` where the tree names `expected`: both are
    /// faults of the document or its entries, which the two look for in different orders. The
    /// layout, the UTF-8 check and the first byte are checked alike, so those errors never differ.
    static func mayPrecede(_ error: PretrainedError, _ expected: PretrainedError) -> Bool {
        func orderDependent(_ error: PretrainedError) -> Bool {
            switch error {
            case .headerInvalidJSON, .invalidMetadata, .duplicateTensor, .invalidTensorInfo, .unknownDType, .invalidShape,
                 .offsetsReversed:
                return true
            default:
                return false
            }
        }
        return orderDependent(error) && orderDependent(expected)
    }
}
