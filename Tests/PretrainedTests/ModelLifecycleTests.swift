import Foundation
import Testing
@testable import Pretrained

/// Models built from their config, tied and untied by hand, and mutated through tied names.
@Suite struct ModelLifecycleTests {
    func config(_ fixture: String) throws -> ModelConfig {
        try ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json"))
    }

    /// Mean and standard deviation of a tensor's values.
    func moments(_ tensor: Tensor) throws -> (mean: Double, std: Double) {
        let values = try tensor.floats().map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    @Test func gpt2InitializationFollowsItsInitWeights() throws {
        let model = try PretrainedModel(config: config("GPT2LMHeadModel"), seed: 7)
        let layers = 2.0
        for tensor in model.parameters {
            let values = try tensor.floats()
            if tensor.name.contains("ln_") {
                #expect(values.allSatisfy { $0 == (tensor.name.hasSuffix("weight") ? 1 : 0) }, "\(tensor.name)")
            } else if tensor.name.hasSuffix("bias") {
                #expect(values.allSatisfy { $0 == 0 }, "\(tensor.name)")
            } else {
                let expected = tensor.name.hasSuffix("c_proj.weight") ? 0.02 / (2 * layers).squareRoot() : 0.02
                let (mean, std) = try moments(tensor)
                #expect(abs(mean) < 4 * expected / Double(values.count).squareRoot() + 1e-4, "\(tensor.name)")
                #expect(abs(std - expected) < 0.15 * expected, "\(tensor.name) std \(std) vs \(expected)")
            }
        }
        #expect(try #require(model["lm_head.weight"]).sharesStorage(with: try #require(model["transformer.wte.weight"])))
        #expect(model.tiedWeights.map(\.target) == ["lm_head.weight"])
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = try PretrainedModel(config: config("LlamaForCausalLM"), seed: 1)
        let b = try PretrainedModel(config: config("LlamaForCausalLM"), seed: 1)
        let c = try PretrainedModel(config: config("LlamaForCausalLM"), seed: 2)
        #expect(a.parameters.map { $0.sha256() } == b.parameters.map { $0.sha256() })
        #expect(a["lm_head.weight"]?.sha256() != c["lm_head.weight"]?.sha256())
    }

    @Test func bertZeroesThePaddingRowOnlyOfWordEmbeddings() throws {
        let model = try PretrainedModel(config: config("BertModel"), seed: 3)
        let words = try #require(model["embeddings.word_embeddings.weight"])
        let width = words.shape[1]
        let rows = try words.floats()
        #expect(rows[0..<width].allSatisfy { $0 == 0 })
        #expect(rows[width..<(2 * width)].contains { $0 != 0 })
        let positions = try #require(model["embeddings.position_embeddings.weight"]).floats()
        #expect(positions[0..<width].contains { $0 != 0 })
        #expect(try #require(model["embeddings.LayerNorm.weight"]).floats().allSatisfy { $0 == 1 })
    }

    @Test func t5UsesFactorScaledRules() throws {
        let config = try config("T5ForConditionalGeneration")
        let model = try PretrainedModel(config: config, seed: 4)
        let dModel = 32.0, dKV = 8.0, dFF = 48.0
        let checks: [(String, Double)] = [
            ("shared.weight", 1), ("encoder.block.0.layer.0.SelfAttention.q.weight", 1 / (dModel * dKV).squareRoot()),
            ("encoder.block.0.layer.0.SelfAttention.k.weight", 1 / dModel.squareRoot()),
            ("encoder.block.1.layer.1.DenseReluDense.wo.weight", 1 / dFF.squareRoot()),
        ]
        for (name, expected) in checks {
            let (_, std) = try moments(try #require(model[name]))
            #expect(abs(std - expected) < 0.2 * expected, "\(name) std \(std) vs \(expected)")
        }
        #expect(try #require(model["encoder.final_layer_norm.weight"]).floats().allSatisfy { $0 == 1 })
        #expect(model.tiedWeights.count == 3)
    }

    @Test func settingTieWordEmbeddingsFalseAndRetyingUnties() throws {
        var model = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"))
        let head = { try #require(model["lm_head.weight"]) }
        let embedding = { try #require(model["transformer.wte.weight"]) }
        #expect(try head().sharesStorage(with: embedding()))

        model.config = model.config.setting("tie_word_embeddings", to: false)
        try model.tieWeights(recomputeMapping: true)
        #expect(try !head().sharesStorage(with: embedding()))
        #expect(try head().bytes == embedding().bytes)
        #expect(model.tiedWeights.isEmpty)

        model.config = model.config.setting("tie_word_embeddings", to: true)
        try model.tieWeights()
        #expect(try head().sharesStorage(with: embedding()))
        try model.postInit()
        #expect(model.tiedWeights.map(\.target) == ["lm_head.weight"])
    }

    @Test func reusingTheMappingAndMissingKeysChooseTheSideWithValues() throws {
        var model = try load(pretrained: Fixtures.path("cases/gpt2-both-different"))
        #expect(model.tiedWeights.isEmpty)  // both sides differ: left untied by the load
        let head = try #require(model["lm_head.weight"]).bytes
        try model.tieWeights(missingKeys: ["transformer.wte.weight"], recomputeMapping: true)
        #expect(try #require(model["transformer.wte.weight"]).bytes == head)
        #expect(try #require(model["transformer.wte.weight"]).dataAddress == (try #require(model["lm_head.weight"])).dataAddress)
        model.untieWeights()
        #expect(model.tiedWeights.isEmpty)
        #expect(try #require(model["lm_head.weight"]).dataAddress != (try #require(model["transformer.wte.weight"])).dataAddress)
        try model.tieWeights(recomputeMapping: false)  // the emptied registry: nothing to tie
        #expect(try #require(model["lm_head.weight"]).dataAddress != (try #require(model["transformer.wte.weight"])).dataAddress)
    }

    @Test func byHandWithMissingKeysTyingFollowsTheLoadRule() throws {
        // The same rule as a load: with both sides present and different, a call with missing keys
        // leaves the pair untied and out of the registry; without missing keys it ties.
        var model = try load(pretrained: Fixtures.path("cases/gpt2-both-different"))
        let head = try #require(model["lm_head.weight"])
        let embedding = try #require(model["transformer.wte.weight"])
        try model.tieWeights(missingKeys: [], recomputeMapping: true)
        #expect(model.tiedWeights.isEmpty)
        #expect(try #require(model["lm_head.weight"]).bytes == head.bytes)
        #expect(try !#require(model["lm_head.weight"]).sharesStorage(with: embedding))
        try model.tieWeights(recomputeMapping: true)
        #expect(model.tiedWeights.map(\.target) == ["lm_head.weight"])
        #expect(try #require(model["lm_head.weight"]).sharesStorage(with: #require(model["transformer.wte.weight"])))
        #expect(try #require(model["lm_head.weight"]).bytes == embedding.bytes)
    }

    @Test func writingThroughOneTiedNameIsSeenThroughTheOtherAndNeverReachesTheFile() throws {
        let folder = Fixtures.path("models/GPT2LMHeadModel")
        let shards = try Checkpoint.resolve(folder).shards.map(\.path)
        let before = try shards.map { (try Data(contentsOf: URL(fileURLWithPath: $0)),
                                       try FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date) }
        let model = try load(pretrained: folder)
        let head = try #require(model["lm_head.weight"])
        let embedding = try #require(model["transformer.wte.weight"])
        #expect(head.storage.isMapped)
        head.withUnsafeMutableSharedBytes { bytes in bytes.storeBytes(of: Float(42.5).bitPattern, toByteOffset: 0, as: UInt32.self) }
        #expect(try embedding.floats()[0] == 42.5)
        for (path, (bytes, date)) in zip(shards, before) {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes, "\(path)")
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == date)
        }
        #expect(try load(pretrained: folder)["transformer.wte.weight"]?.floats()[0] != 42.5)
    }

    @Test func aTensorIsAValueWritingToACopyChangesNothingElse() throws {
        let model = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"), options: LoadOptions(copy: true))
        let original = try #require(model["lm_head.weight"]).bytes
        var head = try #require(model["lm_head.weight"])
        let copy = head
        head.withUnsafeMutableBytes { bytes in bytes.storeBytes(of: Float(42.5).bitPattern, toByteOffset: 0, as: UInt32.self) }
        #expect(try head.floats()[0] == 42.5)
        #expect(copy.bytes == original && !head.sharesStorage(with: copy))
        #expect(try #require(model["lm_head.weight"]).bytes == original)
        #expect(try #require(model["transformer.wte.weight"]).bytes == original)  // the tied partner too
        // A tensor that alone holds its storage is written in place.
        let address = head.dataAddress
        head.withUnsafeMutableBytes { bytes in bytes.storeBytes(of: Float(1).bitPattern, toByteOffset: 0, as: UInt32.self) }
        #expect(head.dataAddress == address)
        #expect(try head.floats()[0] == 1)
    }
}
