import Foundation
import Testing
@testable import Pretrained

/// `LoadOptions.keyMapping` / `--key-mapping`: the user's renames, applied before the
/// architecture's as `from_pretrained(key_mapping=...)` (`cases/llama-key-mapping`, loaded by
/// `LoadConformanceTests` with its `load_kwargs`), and hostile patterns.
@Suite struct KeyMappingTests {
    static let fixture = Fixtures.path("cases/llama-key-mapping")
    static let mapping = [(#"^transformer\."#, "model."), (#"\.attention\."#, ".self_attn."), (#"blocks\.(\d+)\."#, #"layers.\1."#)]

    @Test(arguments: LoadConformanceTests.Mode.allCases)
    func mappedCheckpointLoadsAsTransformersLoadsIt(mode: LoadConformanceTests.Mode) throws {
        try LoadConformanceTests().loadMatchesTransformers(fixture: "cases/llama-key-mapping", mode: mode)
    }

    @Test func withoutTheMappingNothingLinesUp() throws {
        let model = try load(pretrained: Self.fixture)
        #expect(model.report.unexpected.contains("transformer.blocks.0.attention.q_proj.weight"))
        #expect(model.report.missing.contains("model.layers.0.self_attn.q_proj.weight"))
    }

    @Test func renamedKeysAreReportedAsConverted() throws {
        var options = LoadOptions()
        options.keyMapping = Self.mapping
        let model = try load(pretrained: Self.fixture, options: options)
        #expect(model.report.missing.isEmpty && model.report.unexpected.isEmpty)
        let entry = try #require(model.report.converted.first { $0.name == "model.layers.1.self_attn.q_proj.weight" })
        #expect(entry.from == ["transformer.blocks.1.attention.q_proj.weight"])
    }

    /// Only the first match is replaced, `\1` is the pattern's group, and a pattern ending in a name
    /// ends on a name boundary (as `WeightRenaming`).
    @Test func renamesFollowWeightRenaming() throws {
        let model = try MetaModel(config: ModelConfig.read(path: Self.fixture + "/config.json"))
        func target(_ key: String, _ mapping: [(String, String)]) throws -> String {
            try KeyMapper(architecture: model.architecture, keyMapping: mapping.map { ($0.0, $0.1) },
                          hasSlot: { model.index(of: $0) != nil }).targets(of: key)[0].name
        }
        #expect(try target("a.x.b.x.c", [(#"x\."#, "y.")]) == "a.y.b.x.c")
        #expect(try target("blocks.7.q", [(#"blocks\.(\d+)\."#, #"layers.\1."#)]) == "layers.7.q")
        #expect(try target("m.norm_w.weight", [("norm", "ln")]) == "m.norm_w.weight")
        #expect(try target("m.norm.weight", [("norm", "ln")]) == "m.ln.weight")
        // transformers' legacy renames, after the user's and the architecture's.
        #expect(try target("model.language_model.model.layers.0.w", []) == "model.language_model.layers.0.w")
        #expect(try target("language_model.model.model.norm.w", []) == "model.language_model.norm.w")
        #expect(try target("bert.LayerNorm.gamma", []) == "bert.LayerNorm.weight")
        #expect(try target("bert.LayerNorm.gammas", []) == "bert.LayerNorm.gammas")
        #expect(try target("conv.weight_g", []) == "conv.parametrizations.weight.original0")
        #expect(try target("conv.weight_v.x", []) == "conv.parametrizations.weight.original1.x")
    }

    @Test func anInvalidPatternIsATypedError() throws {
        var options = LoadOptions()
        options.keyMapping = [("blocks\\.(", "layers.")]
        do {
            _ = try load(pretrained: Self.fixture, options: options)
            Issue.record("an invalid pattern loaded")
        } catch let error {
            guard case .invalidKeyMapping(let pattern, _) = error else { Issue.record("\(error)"); return }
            #expect(pattern == "blocks\\.(")
        }
        options.keyMapping = [("blocks", #"layers.\1"#)]
        #expect(throws: PretrainedError.self) { try load(pretrained: Self.fixture, options: options) }
    }

    @Test func twoKeysLandingInOneSlotNameBoth() throws {
        var options = LoadOptions()
        options.keyMapping = Self.mapping + [(#"\.k_proj\."#, ".v_proj.")]
        #expect(throws: PretrainedError.keysCollide(slot: "model.layers.0.self_attn.v_proj.weight",
                                                    first: "transformer.blocks.0.attention.k_proj.weight",
                                                    second: "transformer.blocks.0.attention.v_proj.weight")) {
            try load(pretrained: Self.fixture, options: options)
        }
    }

    @Test func commandLineMappingLoadsAndHostilePatternsAreUsageErrors() throws {
        let loaded = try CommandResult.run(["load", Self.fixture, "--json"] + Self.mapping.flatMap { ["--key-mapping", "\($0.0)=\($0.1)"] })
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let report = try JSONParser.parse(Array(loaded.stdout.utf8))
        #expect(report["report"]?["missing"]?.arrayValue?.isEmpty == true)
        #expect(report["report"]?["unexpected"]?.arrayValue?.isEmpty == true)

        let invalid = try CommandResult.run(["load", Self.fixture, "--key-mapping", "blocks\\.(=layers."])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("not a valid regular expression"))
        let noEquals = try CommandResult.run(["load", Self.fixture, "--key-mapping", "blocks"])
        #expect(noEquals.status == 2)

        let collide = try CommandResult.run(["load", Self.fixture] + (Self.mapping + [(#"\.k_proj\."#, ".v_proj.")])
            .flatMap { ["--key-mapping", "\($0.0)=\($0.1)"] })
        #expect(collide.status == 1)
        #expect(collide.stderr.contains("transformer.blocks.0.attention.k_proj.weight"))
        #expect(collide.stderr.contains("transformer.blocks.0.attention.v_proj.weight"))
    }

    /// Capturing groups are counted without Foundation, as Python's `re` counts them.
    @Test(arguments: [(#"a\.(\d+)"#, 1), (#"(?:x)(y)"#, 1), (#"(?P<n>a)(?<m>b)"#, 2), (#"(?=a)(?!b)(?<=c)(?<!d)"#, 0),
                      (#"\(x\)"#, 0), (#"[(]x"#, 0), (#"((a)b)"#, 2), ("plain", 0)])
    func capturingGroupsAreCounted(pattern: String, groups: Int) {
        #expect(KeyMapper.capturingGroups(in: pattern) == groups, "\(pattern)")
    }
}
