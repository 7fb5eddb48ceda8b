import Foundation
import Testing
@testable import Pretrained

/// Hostile variants of a sharded checkpoint's index: each must resolve to a correct checkpoint or
/// fail with a typed `PretrainedError` (the predicted one, where the rules predict one), and
/// never open a file outside the checkpoint folder.
@Suite struct MutationIndexTests {
    enum Family: String, CaseIterable, CustomTestStringConvertible {
        case truncate, noise, shardNames, structure
        var testDescription: String { rawValue }
    }

    @Test(arguments: Family.allCases)
    func indexMutantsResolveCorrectlyOrFailWithTheirError(family: Family) throws {
        let randomSeed = mutationSeed(default: 0x1DE7_5EED)
        var runner = try MutationRunner(randomSeed: randomSeed)
        let seed = try IndexSeed()
        var random = SplitMix64(seed: randomSeed &+ UInt64(Family.allCases.firstIndex(of: family) ?? 0))
        let mutants: [Mutant]
        switch family {
        case .truncate: mutants = seed.truncations()
        case .noise: mutants = seed.noise(1500, using: &random)
        case .shardNames: mutants = seed.shardNames()
        case .structure: mutants = seed.structure()
        }
        let clock = ContinuousClock()
        let started = clock.now
        for mutant in mutants {
            runner.checkIndex(mutant, directory: seed.directory.path, seed: "sharded checkpoint")
        }
        print("mutation index-\(family.rawValue): \(runner.count) mutants, \(runner.accepted) accepted, in \(clock.now - started)")
        runner.expectNoProblems("index-\(family.rawValue)")
        #expect(runner.count >= 20)
    }
}
