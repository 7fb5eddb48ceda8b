import Foundation
import Testing
@testable import Pretrained
@testable import PretrainedCLI

/// `LoadOptions.generic` / `pretrained load --generic`: a checkpoint whose architecture is not
/// registered loads with its own tensors as slots; without the opt-in the error says how.
@Suite struct GenericLoadTests {
    /// A checkpoint of an unregistered class: an embedding, layers 2 and 10 (name order would put
    /// 10 first), an F16 norm, and optionally its own `lm_head.weight` and a second embedding.
    static func checkpoint(_ directory: TemporaryDirectory, head: Bool = false, secondEmbedding: Bool = false,
                           tie: Bool? = nil) throws {
        var seed: UInt64 = 7
        var tensors = [
            try Tensor.random("model.embed_tokens.weight", .f32, [8, 4], seed: &seed),
            try Tensor.random("model.layers.10.mix.weight", .f32, [4, 4], seed: &seed),
            try Tensor.random("model.layers.2.mix.weight", .f32, [4, 4], seed: &seed),
            try Tensor.random("model.norm.weight", .f16, [4], seed: &seed),
        ]
        if head { tensors.append(try Tensor.random("lm_head.weight", .f32, [8, 4], seed: &seed)) }
        if secondEmbedding { tensors.append(try Tensor.random("model.wte.weight", .f32, [8, 4], seed: &seed)) }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: directory.file("model.safetensors"))
        var config = #"{"architectures": ["FooForCausalLM"], "model_type": "foo""#
        if let tie { config += #", "tie_word_embeddings": \#(tie)"# }
        _ = try directory.write("config.json", text: config + "}")
    }

    @Test func slotsAreTheCheckpointsTensorsInNaturalOrderWithTheHeadTied() throws {
        let directory = try TemporaryDirectory()
        try Self.checkpoint(directory)
        var options = LoadOptions()
        options.generic = true
        let model = try load(pretrained: directory.path, options: options)
        #expect(model.parameters.map(\.name) == ["lm_head.weight", "model.embed_tokens.weight", "model.layers.2.mix.weight",
                                                 "model.layers.10.mix.weight", "model.norm.weight"])
        #expect(model["model.norm.weight"]?.dtype == .f16)
        #expect(model.tiedWeights.map { "\($0.target) -> \($0.source)" } == ["lm_head.weight -> model.embed_tokens.weight"])
        #expect(try #require(model["lm_head.weight"]).sharesStorage(with: try #require(model["model.embed_tokens.weight"])))
        #expect(model.report.structureFromCheckpoint)
        #expect(model.report.missing.isEmpty && model.report.unexpected.isEmpty)
        #expect(model.report.json["structure"] == "checkpoint")
        let file = try SafetensorsFile(path: directory.file("model.safetensors"))
        #expect(model["model.layers.10.mix.weight"]?.bytes == (try file.tensor(named: "model.layers.10.mix.weight")).bytes)
    }

    @Test func keyMappingRenamesTheSlots() throws {
        let directory = try TemporaryDirectory()
        try Self.checkpoint(directory)
        var options = LoadOptions()
        options.generic = true
        options.keyMapping = [(#"^model\."#, "decoder."), (#"\.mix\."#, ".mixer.")]
        let model = try load(pretrained: directory.path, options: options)
        #expect(model.parameters.map(\.name) == ["decoder.embed_tokens.weight", "decoder.layers.2.mixer.weight",
                                                 "decoder.layers.10.mixer.weight", "decoder.norm.weight", "lm_head.weight"])
        #expect(model.report.unexpected.isEmpty && model.report.missing.isEmpty)
        #expect(model.report.converted.count == 4)
        options.keyMapping = [(#"layers\.\d+\."#, "layers.0.")]
        #expect(throws: PretrainedError.keysCollide(slot: "model.layers.0.mix.weight", first: "model.layers.2.mix.weight",
                                                    second: "model.layers.10.mix.weight")) {
            try load(pretrained: directory.path, options: options)
        }
    }

    @Test func ambiguousOrUntiedEmbeddingsAreNotTied() throws {
        for (second, tie) in [(true, nil), (false, false)] as [(Bool, Bool?)] {
            let directory = try TemporaryDirectory()
            try Self.checkpoint(directory, secondEmbedding: second, tie: tie)
            var options = LoadOptions()
            options.generic = true
            let model = try load(pretrained: directory.path, options: options)
            #expect(model.tiedWeights.isEmpty)
            #expect(model["lm_head.weight"] == nil)
        }
        let directory = try TemporaryDirectory()
        try Self.checkpoint(directory, head: true)
        var options = LoadOptions()
        options.generic = true
        let model = try load(pretrained: directory.path, options: options)
        #expect(model.report.untied == [.init(target: "lm_head.weight", source: "model.embed_tokens.weight")])
    }

    @Test func withoutTheOptInTheErrorNamesTheArchitectureAndTheOptIn() throws {
        let directory = try TemporaryDirectory()
        try Self.checkpoint(directory)
        #expect(throws: PretrainedError.unknownArchitecture(name: "FooForCausalLM", known: ArchitectureRegistry.shared.names)) {
            try load(pretrained: directory.path)
        }
        let message = PretrainedError.unknownArchitecture(name: "FooForCausalLM", known: ArchitectureRegistry.shared.names).description
        #expect(message.contains("FooForCausalLM") && message.contains("Qwen3NextForCausalLM") && message.contains("--generic"))
        // A registered class still loads as itself with the opt-in.
        var options = LoadOptions()
        options.generic = true
        #expect(try load(pretrained: Fixtures.path("models/GemmaForCausalLM"), options: options).report.structureFromCheckpoint == false)
    }

    @Test func commandLine() throws {
        let directory = try TemporaryDirectory()
        try Self.checkpoint(directory)
        let refused = try CommandResult.run(["load", directory.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--generic"))
        let loaded = try CommandResult.run(["load", directory.path, "--generic", "--json"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let json = try JSONParser.parse(Array(loaded.stdout.utf8))
        #expect(json["report"]?["structure"] == "checkpoint")
        #expect(json["tied"]?["lm_head.weight"] == "model.embed_tokens.weight")
        let table = try CommandResult.run(["load", directory.path, "--generic"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("structure: the checkpoint's own tensors"))
    }
}
