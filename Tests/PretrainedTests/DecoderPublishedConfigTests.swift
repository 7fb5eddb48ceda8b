import Foundation
import Testing
@testable import Pretrained
@testable import PretrainedCLI

/// Published configs of the decoder families (`configs/expected_counts_decoders.json`, written by
/// `make_fixtures.py decoder-families` from `transformers` 5.23 on the meta device): counts, bytes,
/// dtypes, declarations, plans, `state_dict()` entries and module sizes.
@Suite struct DecoderPublishedConfigTests {
    static let expected = try? Fixtures.json("configs/expected_counts_decoders.json")

    static let cases: [String] = (expected?["configs"]?.objectValue ?? []).flatMap { folder, classes in
        (classes.objectValue ?? []).map { "\(folder) \($0.key)" }
    }

    static func lines(_ entries: JSONValue?, format: (JSONValue) -> String) -> [String] {
        (entries?.arrayValue ?? []).map(format)
    }

    @Test func everyPublishedConfigIsListed() {
        #expect(Self.cases.count >= 26)
    }

    @Test(arguments: cases)
    func publishedConfigMatchesTransformers(_ testCase: String) throws {
        let parts = testCase.split(separator: " ").map(String.init)
        let (folder, className) = (parts[0], parts[1])
        let facts = try #require(Self.expected?["configs"]?[folder]?[className])
        let model = try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/\(folder)/config.json")),
                                  architecture: className)
        #expect(model.parameterCount == facts["parameter_count"]?.intValue)
        #expect(model.parameterBytes == facts["parameter_bytes"]?.intValue)
        #expect(model.dtype.rawValue == facts["dtype"]?.stringValue)
        #expect(model.architecture.baseModelPrefix == facts["base_model_prefix"]?.stringValue)
        #expect(model.tiedLines == Expected.tied(facts["tied"]))
        #expect(model.plans.json == Expected.plans(facts["plans"]))
        #expect(model.architecture.noSplitModules.map(JSONValue.string) == facts["no_split_modules"]?.arrayValue)
        #expect(model.architecture.keepInFP32Modules.map(JSONValue.string) == facts["keep_in_fp32_modules"]?.arrayValue)
        #expect(model.architecture.keepInFP32ModulesStrict.map(JSONValue.string)
            == facts["keep_in_fp32_modules_strict"]?.arrayValue)
        #expect(model.slots.count == facts["state_dict_count"]?.intValue)
        let modules = model.modules.map { "\($0.name) \($0.className) \($0.parameters) \($0.bytes)" }
        #expect(modules.count == facts["modules_count"]?.intValue)
        let moduleLine = { (module: JSONValue) in
            "\(module["name"]?.stringValue ?? "?") \(module["class"]?.stringValue ?? "?") "
                + "\(module["parameters"]?.intValue ?? -1) \(module["bytes"]?.intValue ?? -1)"
        }
        // `_from_config` leaves `_keep_in_fp32_modules_strict` tensors in the config's dtype; the
        // skeleton is what `from_pretrained` holds, where they are F32 (models/DeepseekV3ForCausalLM-bf16).
        let strict = model.architecture.keepInFP32ModulesStrict
        let loadedSlots = { (json: JSONValue?) in
            Expected.slots(json).map { line in
                guard let name = line.split(separator: " ").first, strict.contains(where: { name.contains($0) }) else { return line }
                return line.replacingOccurrences(of: " \(model.dtype.rawValue) [", with: " F32 [")
            }
        }
        for (key, lines, expectedLines) in [
            ("state_dict", model.slotLines, loadedSlots),
            ("modules", modules, { (json: JSONValue?) in Self.lines(json, format: moduleLine) }),
        ] {
            if let all = facts[key] {
                #expect(lines == expectedLines(all), "\(key)")
            } else {
                #expect(Array(lines.prefix(60)) == expectedLines(facts[key + "_first60"]), "\(key) first 60")
                #expect(Array(lines.suffix(30)) == expectedLines(facts[key + "_last30"]), "\(key) last 30")
            }
        }
    }

    /// Counts from the model cards, independent of the fixture file.
    @Test(arguments: [("Llama-3.1-8B", 8_030_261_248), ("Llama-3.2-1B", 1_235_814_400), ("gemma-2b", 2_506_172_416), ("gemma-2-2b", 2_614_341_888),
                      ("Phi-3-mini-4k-instruct", 3_821_079_552), ("DeepSeek-V3", 671_026_404_352),
                      ("gpt-oss-20b", 20_914_757_184), ("Qwen3-30B-A3B", 30_532_122_624)])
    func knownCounts(folder: String, count: Int) throws {
        let model = try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/\(folder)/config.json")))
        #expect(model.parameterCount == count)
    }
}
