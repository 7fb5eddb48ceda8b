import Foundation
import Testing
@testable import Pretrained

/// Thousands of hostile variants of valid safetensors files, each of which must end in a correct
/// open or a typed `PretrainedError` (the predicted one, where the rules predict one), with every
/// reader agreeing: never a crash, trap, hang or unbounded allocation.
///
/// The run is deterministic; set `MUTATION_SEED=<n>` to explore other random mutants. A failure
/// names the seed file, the random seed, the mutant and its bytes in base64.
@Suite struct MutationSafetensorsTests {
    enum Family: String, CaseIterable, CustomTestStringConvertible {
        case truncate, extend, lengthPrefix, bitFlip, substitute, splice
        case dtype, shape, offsets, duplicateKeys, nameEncoding, nesting, types, membership

        var testDescription: String { rawValue }

        /// The mutants of this family for `seed`.
        func mutants(of seed: SafetensorsSeed, using random: inout SplitMix64) -> [Mutant] {
            switch self {
            case .truncate: return seed.truncations()
            case .extend: return seed.extensions(using: &random)
            case .lengthPrefix: return seed.lengthPrefixes(using: &random)
            case .bitFlip: return seed.bitFlips(800, using: &random)
            case .substitute: return seed.byteSubstitutions(400, using: &random)
            case .splice: return seed.headerSplices(300, using: &random)
            case .dtype: return seed.dtypeRewrites()
            case .shape: return seed.shapeRewrites(using: &random)
            case .offsets: return seed.offsetRewrites(using: &random)
            case .duplicateKeys: return seed.duplicateKeys()
            case .nameEncoding: return seed.nameEncodings()
            case .nesting: return seed.deepNesting()
            case .types: return seed.wrongTypes()
            case .membership: return seed.membership()
            }
        }
    }

    @Test(arguments: Family.allCases)
    func mutantsOpenCorrectlyOrFailWithTheirError(family: Family) throws {
        let randomSeed = mutationSeed(default: 0x5AFE_7E45)
        var runner = try MutationRunner(randomSeed: randomSeed)
        let clock = ContinuousClock()
        let started = clock.now
        for (i, seed) in try SafetensorsSeed.all().enumerated() {
            let familyIndex = UInt64(Family.allCases.firstIndex(of: family) ?? 0)
            var random = SplitMix64(seed: randomSeed &+ UInt64(i) &* 0x1_0000_0001 &+ familyIndex &* 0x9E37)
            for mutant in family.mutants(of: seed, using: &random) {
                runner.check(mutant, seed: seed.name)
            }
        }
        print("mutation \(family.rawValue): \(runner.count) mutants, \(runner.accepted) accepted, in \(clock.now - started)")
        runner.expectNoProblems(family.rawValue)
        #expect(runner.count >= 20, "too few mutants: the family generated \(runner.count)")
    }
}
