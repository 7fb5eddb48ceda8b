import Foundation
import Testing
@testable import Pretrained

/// Hostile variants of a valid tiny GPT-2 shard loaded with `load(pretrained:)`: zero-copy views,
/// `.pread` and copies must agree, and every load (other dtypes, mismatches ignored) must end in
/// a model or a typed error. Each mutant is loaded seven ways, so the families are small; the
/// `load` fuzz target covers the same ground at scale.
@Suite struct MutationLoadTests {
    static func seed() throws -> SafetensorsSeed {
        let path = Bundle.module.resourcePath! + "/FuzzCorpus/load/gpt2-full.safetensors"
        return try SafetensorsSeed(name: "load/gpt2-full", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test func loadMutantsAgreeAcrossReadersOrFailTyped() throws {
        let randomSeed = mutationSeed(default: 0x10AD)
        var runner = try MutationRunner(randomSeed: randomSeed)
        let seed = try Self.seed()
        var random = SplitMix64(seed: randomSeed)
        var mutants: [Mutant] = [Mutant(family: "none", detail: "the seed itself", bytes: seed.bytes, expectation: .accepted)]
        let targets = ["transformer.wte.weight", "transformer.h.0.attn.c_attn.bias", "transformer.ln_f.weight"]
        for entry in seed.entries {
            for dtype in DType.allCases where dtype != entry.dtype {
                mutants.append(seed.layoutMutant("load-dtype", "'\(entry.name)' \(entry.dtype.rawValue) -> \(dtype.rawValue)",
                                                 seed.entries(changing: entry.name) { $0.dtype = dtype }))
            }
            for shape in [[], [1], [entry.shape.reduce(1, *)], entry.shape.reversed(), entry.shape + [1], [0]]
                where targets.contains(entry.name) {
                mutants.append(seed.layoutMutant("load-shape", "'\(entry.name)' shape \(entry.shape) -> \(shape)",
                                                 seed.entries(changing: entry.name) { $0.shape = shape }))
            }
        }
        mutants += seed.membership().filter { $0.detail.contains("transformer.h.0") || $0.detail.contains("added") }
        mutants += seed.bitFlips(150, using: &random) + seed.extensions(using: &random).prefix(2)
        let clock = ContinuousClock()
        let started = clock.now
        for var mutant in mutants {
            // A file the header rules reject fails the load with the same error; a valid file may
            // still fail to load (conversions, shapes), but only with a typed error.
            if case .accepted = mutant.expectation, mutant.family != "none" { mutant.expectation = .anyOutcome }
            runner.checkLoad(mutant, seed: seed.name)
        }
        print("mutation load: \(runner.count) mutants, \(runner.accepted) loaded, in \(clock.now - started)")
        runner.expectNoProblems("load")
        #expect(runner.accepted > 10 && runner.count - runner.accepted > 10, "the families should both load and fail")
    }
}
