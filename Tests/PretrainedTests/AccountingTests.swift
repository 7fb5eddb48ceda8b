import Testing
@testable import Pretrained

/// Memory accounting: per-module counts as `module.parameters()`, totals as `num_parameters()`,
/// sizes as `accelerate`'s `compute_module_sizes`, and what tying saves.
@Suite struct AccountingTests {
    static func model(_ folder: String, _ className: String? = nil, dtype: DType? = nil) throws -> MetaModel {
        try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/\(folder)/config.json")),
                      architecture: className, dtype: dtype)
    }

    /// `modules` equals the fixture's list (module, class, parameters, bytes) built by transformers.
    @Test func modulesMatchTransformers() throws {
        let expected = try Fixtures.json("configs/expected_counts.json")
        var checked = 0
        for (folder, classes) in try #require(expected["configs"]?.objectValue) {
            for (className, facts) in try #require(classes.objectValue) {
                let lines = try Self.model(folder, className).modules.map { "\($0.name) \($0.className) \($0.parameters) \($0.bytes)" }
                let full = facts["modules"]?.arrayValue
                let reference = try #require(full ?? facts["modules_first20"]?.arrayValue).map { module in
                    "\(module["name"]?.stringValue ?? "?") \(module["class"]?.stringValue ?? "?") "
                        + "\(module["parameters"]?.intValue ?? -1) \(module["bytes"]?.intValue ?? -1)"
                }
                #expect((full == nil ? Array(lines.prefix(20)) : lines) == reference, "\(folder) \(className)")
                checked += 1
            }
        }
        #expect(checked >= 13)
    }

    @Test func llamaLayerMatchesTheContractExample() throws {
        let llama = try Self.model("Llama-2-7b-hf")
        #expect(llama.modules.first { $0.name == "model.layers.0" }
            == ModuleSize(name: "model.layers.0", className: "LlamaDecoderLayer", parameters: 202_383_360, bytes: 404_766_720))
        #expect(llama.parameterBytes == 13_476_831_232)
    }

    /// The seed's example: GPT-2 small with and without tying.
    @Test func tyingSavingsAreTheUntiedDifference() throws {
        let config = try ModelConfig.read(path: Fixtures.path("configs/gpt2/config.json"))
        let tied = try MetaModel(config: config)
        let untied = try MetaModel(config: config.setting("tie_word_embeddings", to: false))
        #expect(tied.parameterCount == 124_439_808)
        #expect(untied.parameterCount == 163_037_184)
        #expect(tied.tyingSavings == TyingSavings(parameters: 38_597_376, bytes: 154_389_504))
        #expect(tied.tyingSavings.parameters == untied.parameterCount - tied.parameterCount)
        #expect(tied.tyingSavings.bytes == untied.parameterBytes - tied.parameterBytes)
        #expect(untied.tyingSavings == TyingSavings(parameters: 0, bytes: 0))

        // T5: three names share `shared.weight`; BERT: the decoder weight and bias.
        let t5 = try Self.model("t5-small")
        #expect(t5.tyingSavings.parameters == 3 * 32128 * 512)
        let bert = try Self.model("bert-base-uncased")
        #expect(bert.tyingSavings.parameters == 30522 * 768 + 30522)
        #expect(try Self.model("Llama-2-7b-hf").tyingSavings.parameters == 0)
    }

    /// compute_module_sizes: buffers included (non-persistent too), tied parameters once under
    /// their first name, floating tensors capped at the target dtype, integers at their own size.
    @Test func moduleSizesCountAsAccelerate() throws {
        let llama = try Self.model("Llama-2-7b-hf")
        #expect(llama.moduleSizes(dtype: .f16)[""] == 13_476_831_232 + 2 * 64 * 2)
        #expect(llama.moduleSizes()[""] == 13_476_831_232 + 2 * 64 * 4)
        #expect(llama.moduleSizes(dtype: .f16)["model.rotary_emb"] == 256)
        #expect(llama.moduleSizes(dtype: .f32)["model.layers.0"] == 404_766_720)   // F16 slots stay F16

        let gpt2 = try Self.model("gpt2")
        let sizes = gpt2.moduleSizes()
        #expect(sizes["transformer.wte"] == 154_389_504)
        #expect(sizes["lm_head"] == nil)
        #expect(sizes["transformer.drop"] == nil)
        #expect(sizes[""] == gpt2.parameterBytes)

        let bert = try Self.model("bert-base-uncased", "BertModel")
        #expect(bert.moduleSizes(dtype: .f16)["embeddings.position_ids"] == 512 * 8)
        #expect(bert.moduleSizes(dtype: .f16)[""] == bert.parameterBytes / 2 + 2 * 512 * 8)
    }

    /// A boolean buffer counts one bit per element, as accelerate's `dtype_byte_size(torch.bool)`.
    @Test func booleanBuffersCountBits() throws {
        struct Masked: Architecture {
            let name = "Masked"
            let modelType = "masked"
            let baseModelPrefix = "masked"
            func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
                Module("Masked", entries: [.nonPersistentBuffer("mask", [20], dtype: .bool)],
                       children: [("proj", .linear(in: 2, out: 2, bias: false))])
            }
        }
        let model = try MetaModel(config: ModelConfig(json: .object([])), architecture: Masked())
        #expect(model.slots.map(\.name) == ["proj.weight"])
        let sizes = model.moduleSizes()
        #expect(sizes["mask"] == 2)          // 20 bits
        #expect(sizes[""] == 16 + 2)         // 16 bytes of F32 weight + 20 bits, truncated
        #expect(model.modules == [ModuleSize(name: "proj", className: "Linear", parameters: 4, bytes: 16)])
    }
}
