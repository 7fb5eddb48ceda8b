import Foundation
import Testing
@testable import Pretrained

/// Configs `transformers` refuses when it builds the model are refused here too, by one shared
/// set of checks (`ModelConfig.attentionHeads`) every family calls (SECURITY.md, row 90).
@Suite struct ConfigValidationTests {
    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["CONFIG_SEED"], let value = UInt64(text) { return value }
        return UInt64.random(in: 0...UInt64(UInt32.max))
    }()

    static func skeleton(_ fixture: String, _ changes: [(String, JSONValue)]) throws -> MetaModel {
        var config = try ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json"))
        for (key, value) in changes { config = config.setting(key, to: value) }
        return try MetaModel(config: config)
    }

    /// (fixture, changes, accepted): zero, negative and non-dividing head counts per family.
    static let table: [(String, [(String, JSONValue)], Bool)] = [
        ("GPT2LMHeadModel", [("n_head", .int(0))], false), ("GPT2LMHeadModel", [("n_head", .int(-4))], false),
        ("GPT2LMHeadModel", [("n_head", .int(5))], false), ("GPT2LMHeadModel", [("n_embd", .int(33))], false),
        ("GPT2LMHeadModel", [("n_head", .int(8))], true), ("GPT2LMHeadModel", [("n_head", .int(32))], true),
        ("BertForMaskedLM", [("num_attention_heads", .int(0))], false), ("BertForMaskedLM", [("num_attention_heads", .int(3))], false),
        ("BertForMaskedLM", [("num_attention_heads", .int(3)), ("embedding_size", .int(32))], true),
        ("BertForMaskedLM", [("num_attention_heads", .int(1))], true),
        ("LlamaForCausalLM", [("num_attention_heads", .int(0))], false), ("LlamaForCausalLM", [("num_attention_heads", .int(-2))], false),
        ("LlamaForCausalLM", [("num_key_value_heads", .int(0))], false),
        ("LlamaForCausalLM", [("num_attention_heads", .int(3)), ("num_key_value_heads", .int(3))], true),  // head_dim floors
        ("Qwen3ForCausalLM", [("num_attention_heads", .int(0))], false), ("MixtralForCausalLM", [("num_key_value_heads", .int(-1))], false),
        ("T5ForConditionalGeneration", [("num_heads", .int(0))], false), ("T5ForConditionalGeneration", [("num_heads", .int(3))], true),
        // The families of issues 13 and 14, as their attention modules check (or floor) in 5.23.
        ("DistilBertModel", [("n_heads", .int(0))], false), ("DistilBertModel", [("n_heads", .int(3))], false),
        ("DistilBertModel", [("n_heads", .int(8))], true),
        ("ModernBertModel", [("num_attention_heads", .int(3))], false), ("ModernBertModel", [("num_attention_heads", .int(2))], true),
        ("NomicBertModel", [("num_attention_heads", .int(0))], false), ("NomicBertModel", [("num_attention_heads", .int(3))], true),
        ("BartModel", [("encoder_attention_heads", .int(3))], false), ("BartModel", [("decoder_attention_heads", .int(-1))], false),
        ("BartModel", [("decoder_attention_heads", .int(8))], true),
        ("WhisperModel", [("decoder_attention_heads", .int(5))], false), ("WhisperModel", [("encoder_attention_heads", .int(2))], true),
        ("ViTModel", [("num_attention_heads", .int(0))], false), ("ViTModel", [("num_attention_heads", .int(3))], true),
        ("MPNetModel", [("num_attention_heads", .int(3))], false), ("DebertaV2Model", [("num_attention_heads", .int(0))], false),
        ("XLMRobertaModel", [("num_attention_heads", .int(5))], false),
        ("GemmaModel", [("num_attention_heads", .int(0))], false), ("Phi3Model", [("num_key_value_heads", .int(0))], false),
        ("CLIPVisionModel", [("num_attention_heads", .int(0))], false), ("SiglipTextModel", [("num_attention_heads", .int(3))], false),
        ("SiglipTextModel", [("num_attention_heads", .int(2))], true),
    ]

    @Test(arguments: table.indices)
    func headCountsAreCheckedAsTransformersBuildsThem(row: Int) throws {
        let (fixture, changes, accepted) = Self.table[row]
        do {
            _ = try Self.skeleton(fixture, changes)
            #expect(accepted, "\(fixture) \(changes) was accepted")
        } catch {
            guard case .invalidConfig? = error as? PretrainedError else {
                Issue.record("\(fixture) \(changes): \(error)")
                return
            }
            #expect(!accepted, "\(fixture) \(changes): \(error)")
        }
    }

    /// Over random hidden sizes and head counts, GPT-2 and BERT accept exactly the positive head
    /// counts that divide the hidden size, and loading a checkpoint under such a config is refused
    /// the same way.
    @Test func divisibilityIsExactOverRandomSizes() throws {
        print("ConfigValidationTests seed: \(Self.seed) (CONFIG_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed)
        for _ in 0..<200 {
            let hidden = Int.random(in: 1...64, using: &random)
            let heads = Int.random(in: -2...16, using: &random)
            let bert = Bool.random(using: &random)
            let changes: [(String, JSONValue)] = bert
                ? [("hidden_size", .int(hidden)), ("num_attention_heads", .int(heads))]
                : [("n_embd", .int(hidden)), ("n_head", .int(heads))]
            let accepted = (try? Self.skeleton(bert ? "BertForMaskedLM" : "GPT2LMHeadModel", changes)) != nil
            #expect(accepted == (heads > 0 && hidden % heads == 0), "\(bert ? "BERT" : "GPT-2") hidden \(hidden) heads \(heads)")
        }
    }
}
