import Foundation
import Testing
@testable import Pretrained

/// `pretrained inspect --model` on the published configs of the encoder, encoder-decoder and
/// vision families: the class `config.json` names (or, without `architectures`, the base model of
/// its `model_type`, as `AutoModel`), with the parameter count, bytes, tied map, no-split classes
/// and module sizes `transformers` 5.23 computed on the meta device (`configs/expected_counts.json`).
@Suite struct InspectModelEncoderTests {
    static let configs: [(folder: String, architecture: String)] = [
        ("xlm-roberta-base", "XLMRobertaForMaskedLM"), ("all-mpnet-base-v2", "MPNetForMaskedLM"),
        ("ModernBERT-base", "ModernBertForMaskedLM"), ("distilbert-base-uncased", "DistilBertForMaskedLM"),
        ("deberta-v3-base", "DebertaV2Model"), ("bart-large", "BartModel"),
        ("whisper-small", "WhisperForConditionalGeneration"), ("vit-base-patch16-224", "ViTForImageClassification"),
        ("clip-vit-base-patch32", "CLIPModel"), ("siglip-base-patch16-224", "SiglipModel"),
    ]

    @Test(arguments: configs.map(\.folder))
    func inspectModelMatchesTransformers(folder: String) throws {
        let architecture = try #require(Self.configs.first { $0.folder == folder }?.architecture)
        let result = try CommandResult.run(["inspect", "--model", Fixtures.path("configs/" + folder), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONParser.parse(Array(result.stdout.utf8))
        let expected = try #require(try Fixtures.json("configs/expected_counts.json")["configs"]?[folder]?[architecture])
        #expect(output["architecture"] == .string(architecture))
        #expect(output["parameter_count"] == expected["parameter_count"])
        #expect(output["parameter_bytes"] == expected["parameter_bytes"])
        #expect(output["tied"] == expected["tied"])
        #expect(output["no_split_modules"] == expected["no_split_modules"])
        let modules = try #require(output["modules"]?.arrayValue)
        if let all = expected["modules"]?.arrayValue {
            #expect(modules == all)
        } else {
            let first = try #require(expected["modules_first20"]?.arrayValue)
            #expect(Array(modules.prefix(first.count)) == first)
        }
    }

    /// The figures published with these models, independently of the fixture.
    @Test func knownCounts() throws {
        for (folder, architecture, count) in [("xlm-roberta-base", "XLMRobertaModel", 278_043_648),
                                              ("all-mpnet-base-v2", "MPNetModel", 109_486_464),
                                              ("ModernBERT-base", "ModernBertForMaskedLM", 149_655_232),
                                              ("distilbert-base-uncased", "DistilBertModel", 66_362_880),
                                              ("whisper-small", "WhisperForConditionalGeneration", 241_734_912),
                                              ("vit-base-patch16-224", "ViTForImageClassification", 86_567_656),
                                              ("clip-vit-base-patch32", "CLIPModel", 151_277_313)] {
            let config = try ModelConfig.read(path: Fixtures.path("configs/\(folder)/config.json"))
            #expect(try MetaModel(config: config, architecture: architecture).parameterCount == count, "\(folder)")
        }
    }
}
