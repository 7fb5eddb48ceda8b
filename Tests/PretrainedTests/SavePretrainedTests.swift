import Foundation
import Testing
@testable import Pretrained

/// `model.save(pretrained:)` writes what `save_pretrained` writes, and loading it back gives the
/// same model.
@Suite struct SavePretrainedTests {
    @Test(arguments: ["models/GPT2LMHeadModel", "models/BertForMaskedLM", "models/T5ForConditionalGeneration",
                      "models/LlamaForCausalLM"])
    func savedModelsLoadBackTheSame(fixture: String) throws {
        let original = try load(pretrained: Fixtures.path(fixture))
        let folder = try TemporaryDirectory()
        let output = folder.file("nested/saved")   // created with its parents
        try original.save(pretrained: output)
        let again = try load(pretrained: output)
        #expect(again.architecture == original.architecture)
        #expect(again.parameters.map(\.name) == original.parameters.map(\.name))
        #expect(again.parameters.map { $0.sha256() } == original.parameters.map { $0.sha256() })
        #expect(again.tiedWeights.map(\.target) == original.tiedWeights.map(\.target))
        #expect(again.storageNames() == original.storageNames())
        #expect(Set(again.parametersByName.keys) == Set(original.parameters.map(\.name)))
        #expect(again.report.unexpected.isEmpty && again.report.missing.isEmpty && again.report.untied.isEmpty)
        // Tied targets are not written, as transformers drops them; the checkpoint keys are the
        // ones transformers saved.
        let written = Set(try OpenedCheckpoint.open(Checkpoint.resolve(output)).tensorsByName.map(\.info.name))
        let saved = Set(try OpenedCheckpoint.open(Checkpoint.resolve(Fixtures.path(fixture))).tensorsByName.map(\.info.name))
        #expect(written == saved.filter { name in original[name] != nil })
    }

    @Test func aSmallShardLimitWritesAnIndexAndShards() throws {
        let model = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"))
        let folder = try TemporaryDirectory()
        let result = try model.save(pretrained: folder.path, maxShardBytes: 32 << 10)
        #expect(result.shards.count > 1 && result.index == "model.safetensors.index.json")
        let again = try load(pretrained: folder.path)
        #expect(again.parameters.map { $0.sha256() } == model.parameters.map { $0.sha256() })
    }
}
