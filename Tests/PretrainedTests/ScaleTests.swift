import Foundation
import Testing
@testable import Pretrained

/// Small inputs must not burn CPU (SECURITY.md, "Time linear in the input"): each test measures
/// one path at two input sizes, four times apart, and fails when the time grows like a square
/// (sixteen times); the margin over four is for a shared machine. Sizes are timed in turns, best of five.
@Suite(.serialized) struct ScaleTests {
    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["SCALE_SEED"], let value = UInt64(text) { return value }
        return UInt64.random(in: 0...UInt64(UInt32.max))
    }()

    /// The best of three runs of `body`, in seconds.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let start = monotonicSeconds()
            try body()
            best = min(best, monotonicSeconds() - start)
        }
        return best
    }

    static func config(_ fixture: String, _ changes: [(String, JSONValue)]) throws -> ModelConfig {
        var config = try ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json"))
        for (key, value) in changes { config = config.setting(key, to: value) }
        return config
    }

    static func gpt2(layers: Int) throws -> MetaModel {
        try MetaModel(config: config("GPT2LMHeadModel", [("n_layer", .int(layers))]))
    }

    /// The best times of `small` and `large`, measured in turns (five of each), so that a busy
    /// machine (the rest of the suite runs in parallel) slows both alike.
    static func times(small: () throws -> Void, large: () throws -> Void) rethrows -> (small: Double, large: Double) {
        var (a, b) = (Double.infinity, Double.infinity)
        for _ in 0..<5 {
            var start = monotonicSeconds()
            try small()
            a = min(a, monotonicSeconds() - start)
            start = monotonicSeconds()
            try large()
            b = min(b, monotonicSeconds() - start)
        }
        return (a, b)
    }

    static func expectLinear(_ what: String, small: Double, large: Double, limit: Double = 10) {
        print("\(what): \(small) s, then \(large) s at four times the input (ratio \(large / small))")
        #expect(large / small < limit, "\(what): ratio \(large / small)")
    }

    /// `plan` over thousands of small layers with budgets far too small: `accelerate`'s loop took
    /// the first item of a list (O(n)), recomputed the largest layer over every name left after
    /// each split, and cleaned the map by filtering it at every module; it is now linear (the
    /// quadratic growth shows from a thousand layers on, hence the sizes and the tighter limit).
    @Test(arguments: [nil, [String]()])
    func planIsLinearInTheLayers(noSplit: [String]?) throws {
        let budget = try MaxMemory(parsing: "0=100KB,cpu=100KB,disk=1GB")
        let (smallModel, largeModel) = (try Self.gpt2(layers: 1024), try Self.gpt2(layers: 4096))
        let (small, large) = try Self.times(small: { _ = try smallModel.inferDeviceMap(maxMemory: budget, noSplitModules: noSplit) },
                                            large: { _ = try largeModel.inferDeviceMap(maxMemory: budget, noSplitModules: noSplit) })
        // The quadratic reference grows 9.3 (default) and 11.8 (no no-split classes) times here.
        Self.expectLinear("plan, no-split \(noSplit.map { "\($0)" } ?? "default")", small: small, large: large, limit: 7)
    }

    /// What `inspect --model` computes: the skeleton, its module table, counts and tying savings.
    @Test func inspectModelIsLinearInTheLayers() throws {
        let config = { (layers: Int) in try Self.config("GPT2LMHeadModel", [("n_layer", .int(layers))]) }
        let (smallConfig, largeConfig) = (try config(1024), try config(4096))
        func inspect(_ config: ModelConfig) throws {
            let model = try MetaModel(config: config)
            _ = (model.modules.count, model.parameterCount, model.parameterBytes, model.tyingSavings)
        }
        let (small, large) = try Self.times(small: { try inspect(smallConfig) }, large: { try inspect(largeConfig) })
        Self.expectLinear("inspect --model", small: small, large: large)
    }

    /// A checkpoint whose tensors have long names, beside the GPT-2 config (every name unexpected).
    static func longNames(count: Int, length: Int) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.copy(fixture: "models/GPT2Model/config.json", as: "config.json")
        let stem = String(repeating: "x", count: length)
        let tensors = try (0..<count).map { i in try Tensor(name: "\(stem).\(i)", dtype: .u8, shape: [1], bytes: [UInt8(i & 0xFF)]) }
        try SafetensorsWriter.write(tensors, to: directory.file("model.safetensors"))
        return directory
    }

    /// A load spent about 1 µs per byte of tensor name in regular-expression searches (ignore
    /// patterns, renames) and in splitting names at every sort comparison: loading a header of
    /// long names took three to four times as long as parsing it. Now keys that cannot match skip
    /// the search (`RegexPrefilter`): the load stays within four times the parse (measured 2.0 on an
    /// idle machine), and linear; every family's patterns have a literal to filter on.
    @Test func loadIsLinearInTheNameBytesAndCloseToTheParse() throws {
        let (short, long) = (try Self.longNames(count: 400, length: 1000), try Self.longNames(count: 400, length: 4000))
        let (smallLoad, largeLoad) = try Self.times(small: { _ = try load(pretrained: short.path) },
                                                    large: { _ = try load(pretrained: long.path) })
        Self.expectLinear("load of long names", small: smallLoad, large: largeLoad)
        // Load and parse measured in turns (best of five each), so that a busy machine slows both.
        var (parse, loading) = (Double.infinity, Double.infinity)
        for _ in 0..<5 {
            parse = min(parse, try Self.seconds { _ = try OpenedCheckpoint.open(Checkpoint.resolve(long.path)) })
            loading = min(loading, try Self.seconds { _ = try load(pretrained: long.path) })
        }
        print("parse \(parse) s, load \(loading) s (ratio \(loading / parse))")
        #expect(loading / parse < 4, "load / parse \(loading / parse)")
        // The families' ignore and rename patterns all have a literal, so long keys skip the regex.
        for architecture in ArchitectureRegistry.shared.names.compactMap({ ArchitectureRegistry.shared.architecture(named: $0) }) {
            for pattern in architecture.ignoreOnLoadUnexpected + architecture.ignoreOnLoadMissing {
                #expect(RegexPrefilter([pattern]).literals != nil, "\(architecture.name): '\(pattern)' has no literal")
                #expect(!RegexPrefilter([pattern]).mayMatch(String(repeating: "x", count: 4000) + ".1"))
            }
        }
    }

    /// The prefilter never changes a verdict: for random keys and patterns (the architectures'
    /// own and random ones with groups, classes, quantifiers and escapes), a key the prefilter
    /// rules out never matches.
    @Test func thePrefilterNeverRulesOutAMatch() throws {
        print("ScaleTests seed: \(Self.seed) (SCALE_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed)
        let atoms = ["a", "b", ".", "\\.", "\\d", "\\d+", "(a|b)", "[ab]", "x?", "y*", "z{2}", "(^|\\.)", "$", "^", "attn", "_", "é"]
        var patterns = ["attn.bias", "crossattention.bias", "attn.masked_bias", #"(^|\.)position_ids$"#, #"rotary_emb\.inv_freq"#,
                        #"\.block_sparse_moe\."#, "a|b"]
        for _ in 0..<300 {
            patterns.append((0..<Int.random(in: 1...5, using: &random)).map { _ in atoms[Int.random(in: 0..<atoms.count, using: &random)] }.joined())
        }
        let pieces = ["a", "b", ".", "1", "22", "attn", "x", "y", "zz", "_", "é", "e\u{301}", "position_ids", "bias"]
        for pattern in patterns {
            guard let regex = try? Regex(pattern) else { continue }
            let prefilter = RegexPrefilter([pattern])
            for _ in 0..<40 {
                let key = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()
                if !prefilter.mayMatch(key) {
                    #expect(!key.contains(regex), "pattern \(pattern.debugDescription), key \(key.debugDescription)")
                }
            }
        }
        #expect(RegexPrefilter.requiredLiteral(#"rotary_emb\.inv_freq"#) == Array("rotary_emb.inv_freq".utf8))
        #expect(RegexPrefilter.requiredLiteral("a|b") == nil)
        #expect(RegexPrefilter.requiredLiteral(#"(^|\.)position_ids$"#) == Array("position_ids".utf8))
    }

    /// The linear device-map inference and cleaning give exactly the quadratic transcription's
    /// maps, over random families, layer counts, tying, budgets, no-split lists and dtypes.
    @Test func deviceMapsAgreeWithTheQuadraticReference() throws {
        print("ScaleTests seed: \(Self.seed) (SCALE_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed ^ 0xDE71CE)
        let families: [(fixture: String, layers: [String])] = [
            ("GPT2LMHeadModel", ["n_layer"]), ("LlamaForCausalLM", ["num_hidden_layers"]),
            ("T5ForConditionalGeneration", ["num_layers", "num_decoder_layers"]), ("BertForMaskedLM", ["num_hidden_layers"]),
            ("MixtralForCausalLM", ["num_hidden_layers"]), ("Qwen3ForCausalLM", ["num_hidden_layers"]),
        ]
        for _ in 0..<150 {
            let family = families[Int.random(in: 0..<families.count, using: &random)]
            let layers = Int.random(in: 1...10, using: &random)
            var changes: [(String, JSONValue)] = family.layers.map { ($0, .int(layers)) }
            if Bool.random(using: &random) { changes.append(("tie_word_embeddings", .bool(Bool.random(using: &random)))) }
            let model = try MetaModel(config: Self.config(family.fixture, changes))
            let total = max(model.parameterBytes, 1)
            var budgets: [Device: Int] = [:]
            for ordinal in 0..<Int.random(in: 0...3, using: &random) {
                budgets[.accelerator(ordinal)] = Int.random(in: 0...(total + total / 4), using: &random)
            }
            budgets[.cpu] = Int.random(in: 0...(total + total / 4), using: &random)
            if Bool.random(using: &random) { budgets[.disk] = total * 2 }
            let maxMemory = try MaxMemory(budgets)
            let noSplit: [String]? = [nil, [], model.architecture.noSplitModules][Int.random(in: 0...2, using: &random)]
            let dtype: DType? = [nil, .f32, .f16][Int.random(in: 0...2, using: &random)]
            let what = "\(family.fixture) \(changes) \(budgets) noSplit \(String(describing: noSplit)) \(String(describing: dtype))"
            let expected = Result { try model.referenceDeviceMap(maxMemory: maxMemory, noSplitModules: noSplit, dtype: dtype) }
            let actual = Result { try model.inferDeviceMap(maxMemory: maxMemory, noSplitModules: noSplit, dtype: dtype) }
            switch (expected, actual) {
            case let (.success(a), .success(b)):
                #expect(a.entries.map { "\($0.module) -> \($0.device)" } == b.entries.map { "\($0.module) -> \($0.device)" }, "\(what)")
                #expect(a.bytes == b.bytes, "\(what)")
            case let (.failure(a), .failure(b)):
                #expect("\(a)" == "\(b)", "\(what)")
            default:
                Issue.record("\(what): reference \(expected), linear \(actual)")
            }
        }
    }
}

/// A tensor-parallel rank's row-sliced tensor has one target per row, and its reads arrive in
/// many chunks: each chunk used to walk every target (chunks x rows); it now finds its first
/// target by binary search.
@Suite struct SlotSinkScaleTests {
    /// Delivers a `rows`-row tensor of 64 bf16 columns, of which the sink wants the first half of
    /// each row, one chunk per row.
    static func deliverRowByRow(rows: Int) throws {
        let columns = 64, width = 2
        let info = TensorInfo(name: "w", dtype: .bf16, shape: [rows, columns], dataOffsets: 0..<(rows * columns * width))
        let storage = try TensorStorage.allocate(byteCount: rows * columns / 2 * width, zeroed: true, tensor: "w")
        let pieces = (0..<rows).map { row in
            let start = row * columns * width
            return LoadPlan.Piece(shard: 0, info: TensorInfo(name: "w", dtype: .bf16, shape: [columns / 2],
                                                             dataOffsets: start..<(start + columns / 2 * width)),
                                  slotOffset: row * columns / 2 * width)
        }
        let slot = TensorSlot(name: "w", shape: [rows, columns / 2], dtype: .bf16)
        let sink = SlotSink(copies: pieces.map { (0, $0) }, owned: [storage], slots: [slot])
        let row = [UInt8](repeating: 7, count: columns * width)
        try row.withUnsafeBytes { bytes in
            for index in 0..<rows { try sink.write(bytes, of: info, at: index * columns * width) }
        }
        #expect(storage.bytes.allSatisfy { $0 == 7 })
    }

    @Test func manyTargetsCostLinearTime() throws {
        let (small, large) = try ScaleTests.times(small: { try Self.deliverRowByRow(rows: 4_000) },
                                                  large: { try Self.deliverRowByRow(rows: 16_000) })
        ScaleTests.expectLinear("slot sink, one chunk per row", small: small, large: large)
    }
}
