import Foundation
import Testing
@testable import Pretrained

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a load may allocate (SECURITY.md, "Memory a load allocates"): a config within the count
/// limits over a tiny checkpoint must not make the loader allocate gigabytes of zero-filled slots,
/// a caller's budget is honoured before the first allocation, and the address-space limit turns
/// into a typed error instead of a runtime abort.
@Suite struct HostileMemoryTests {
    /// The seed of the randomized checks: `MEMORY_SEED=n` replays a run; printed by each test.
    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["MEMORY_SEED"], let value = UInt64(text) { return value }
        return UInt64.random(in: 0...UInt64(UInt32.max))
    }()

    /// The bytes a load of the GPT-2 fixture with `n_layer`/`n_embd` set would need for slots the
    /// checkpoint does not provide, read from the error a zero limit gives.
    static func unprovidedNeed(_ directory: TemporaryDirectory, options: LoadOptions = LoadOptions()) throws -> Int {
        var options = options
        options.unprovidedBytesLimit = 0
        do {
            _ = try load(pretrained: directory.path, options: options)
            return 0
        } catch {
            guard case let .unprovidedSlotsTooLarge(bytes, limit, _) = error, limit == 0 else {
                Issue.record("unexpected error: \(error)")
                return -1
            }
            return bytes
        }
    }

    /// Configs within `ModelConfig`'s count limits whose zero-filled slots would take from
    /// gigabytes to terabytes: each is refused before anything is allocated (in this process, so
    /// a regression shows as an allocation failure or an abort, under `scripts/test`'s limit).
    @Test(arguments: [
        ("65536", "32", "64"), ("4096", "4096", "64"), ("65536", "2048", "32000"), ("8", "65536", "64"),
        ("1", "32", "200000000"), ("60000", "1024", "64"),
    ])
    func configsFarLargerThanTheirCheckpointAreRefusedUnallocated(layers: String, width: String, vocab: String) throws {
        let directory = try HostileConfigTests.checkpoint { text in
            HostileConfigTests.setting("n_layer", to: layers)(&text)
            HostileConfigTests.setting("n_embd", to: width)(&text)
            HostileConfigTests.setting("vocab_size", to: vocab)(&text)
            HostileConfigTests.setting("n_head", to: "1")(&text)
        }
        let before = AddressSpace.used ?? 0
        do {
            _ = try load(pretrained: directory.path, options: LoadOptions(ignoreMismatchedSizes: true))
            Issue.record("n_layer \(layers), n_embd \(width), vocab \(vocab) loaded")
        } catch {
            guard case let .unprovidedSlotsTooLarge(bytes, limit, checkpointBytes) = error else {
                Issue.record("n_layer \(layers), n_embd \(width), vocab \(vocab): \(error)")
                return
            }
            #expect(bytes > limit && limit == LoadOptions.defaultUnprovidedLimit(checkpointBytes: checkpointBytes))
        }
        // Nothing of the refused plan stays mapped (a loose bound: other tests run in parallel).
        #expect((AddressSpace.used ?? 0) - before < 1 << 30)
    }

    /// The unprovided limit is exact: for random limits around the need, a load succeeds exactly
    /// when the need fits, over random layer counts and widths.
    @Test func theUnprovidedLimitIsExact() throws {
        print("HostileMemoryTests seed: \(Self.seed) (MEMORY_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed)
        for _ in 0..<12 {
            let layers = Int.random(in: 2...40, using: &random)
            let width = 4 * Int.random(in: 1...24, using: &random)
            let directory = try HostileConfigTests.checkpoint { text in
                HostileConfigTests.setting("n_layer", to: "\(layers)")(&text)
                HostileConfigTests.setting("n_embd", to: "\(width)")(&text)
            }
            let need = try Self.unprovidedNeed(directory, options: LoadOptions(ignoreMismatchedSizes: true))
            #expect(need > 0, "layers \(layers), width \(width)")
            for limit in [need - 1, need, need + Int.random(in: 1...4096, using: &random), Int.random(in: 0..<need, using: &random)] {
                var options = LoadOptions(ignoreMismatchedSizes: true)
                options.unprovidedBytesLimit = limit
                let loaded = (try? load(pretrained: directory.path, options: options)) != nil
                #expect(loaded == (need <= limit), "layers \(layers), width \(width), need \(need), limit \(limit)")
            }
        }
    }

    /// The caller's budget counts every allocated slot (copies included, views not) and is exact.
    @Test func theMemoryBudgetIsExactAndViewsAreFree() throws {
        print("HostileMemoryTests seed: \(Self.seed) (MEMORY_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed ^ 0x5EED)
        let path = Fixtures.path("models/GPT2LMHeadModel")
        var zero = LoadOptions(copy: true)
        zero.memoryBudget = 0
        var need = 0
        do {
            _ = try load(pretrained: path, options: zero)
            Issue.record("a copy loaded in a budget of 0 bytes")
        } catch {
            guard case let .memoryBudgetExceeded(bytes, 0, false) = error else { throw error }
            need = bytes
        }
        let model = try load(pretrained: path, options: LoadOptions(copy: true))
        let distinct = Dictionary(model.parameters.map { (ObjectIdentifier($0.storage), $0.storage.count) },
                                  uniquingKeysWith: { a, _ in a })
        #expect(need == distinct.values.reduce(0, +), "the budget counts each storage once")
        for budget in [need - 1, need, need + 1, Int.random(in: 0..<need, using: &random), Int.random(in: need...(4 * need), using: &random)] {
            var options = LoadOptions(copy: true)
            options.memoryBudget = budget
            let loaded = (try? load(pretrained: path, options: options)) != nil
            #expect(loaded == (need <= budget), "need \(need), budget \(budget)")
        }
        var views = LoadOptions()
        views.memoryBudget = 0
        let viewed = try load(pretrained: path, options: views)
        #expect(viewed.parameters.allSatisfy { $0.storage.isMapped || $0.storage.count == 0 })
    }

    /// A tied slot the checkpoint lacks (GPT-2's `lm_head.weight`, which `transformers` never
    /// saves) gets no memory of its own: it shares the embedding's, so it costs nothing.
    @Test func slotsFilledByTyingCostNothing() throws {
        var options = LoadOptions()
        options.unprovidedBytesLimit = 0
        options.memoryBudget = 0
        let model = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"), options: options)
        let head = try #require(model["lm_head.weight"])
        #expect(head.sharesStorage(with: try #require(model["transformer.wte.weight"])))
        #expect(model.report.missing.isEmpty)
    }

    /// Under an address-space limit, a load that cannot fit is a typed error naming the limit,
    /// before any allocation (in a child process, whose limit is set first).
    @Test func theAddressSpaceLimitIsATypedError() async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            do {
                let directory = try HostileConfigTests.checkpoint(config: HostileConfigTests.setting("n_layer", to: "20000"))
                // 20,000 layers of width 32: about 1 GB of zero-filled slots; leave 256 MiB.
                limitAddressSpace(toCurrentPlus: 256 << 20)
                var options = LoadOptions()
                options.unprovidedBytesLimit = Int.max
                _ = try load(pretrained: directory.path, options: options)
                print("loaded under a 256 MiB margin")
            } catch let error as PretrainedError {
                if case .memoryBudgetExceeded(_, _, true) = error { exit(0) }
                print("unexpected error: \(error)")
            } catch {
                print("unexpected error: \(error)")
            }
            exit(1)
        }
        if let result, result.exitStatus != .exitCode(0) {
            print(String(decoding: result.standardOutputContent, as: UTF8.self))
        }
    }
}

