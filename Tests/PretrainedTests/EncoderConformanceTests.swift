import Foundation
import Testing
@testable import Pretrained

/// The encoder, encoder-decoder and vision families load exactly as `transformers` 5.23 loaded the
/// fixtures it wrote: the same checks as `LoadConformanceTests` and `SkeletonTests` (names in order,
/// dtypes, shapes, SHA-256 of every tensor, storage sharing, tied map, report, plans), over every
/// class these families add. The loader cases under `cases/` run in `LoadConformanceTests`.
@Suite struct EncoderConformanceTests {
    static let fixtureModels = [
        "BertForSequenceClassification", "BertForTokenClassification", "BertForQuestionAnswering",
        "RobertaModel", "RobertaForMaskedLM", "RobertaForSequenceClassification",
        "XLMRobertaModel", "XLMRobertaForMaskedLM", "XLMRobertaForSequenceClassification",
        "DistilBertModel", "DistilBertForMaskedLM", "DistilBertForSequenceClassification",
        "MPNetModel", "MPNetForMaskedLM",
        "ElectraModel", "ElectraForPreTraining", "ElectraForMaskedLM",
        "ModernBertModel", "ModernBertForMaskedLM", "ModernBertForSequenceClassification",
        "DebertaV2Model", "DebertaV2ForMaskedLM", "DebertaV2ForMaskedLM-conv",
        "BartModel", "BartForConditionalGeneration", "WhisperModel", "WhisperForConditionalGeneration",
        "ViTModel", "ViTForImageClassification",
        "CLIPModel", "CLIPTextModel", "CLIPVisionModel", "CLIPTextModelWithProjection", "CLIPVisionModelWithProjection",
        "SiglipModel", "SiglipTextModel", "SiglipVisionModel",
        "NomicBertModel", "ModernBertForMaskedLM-bf16", "CLIPModel-f16",
    ]

    @Test func everyFixtureModelIsListed() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("models")).filter { !$0.hasSuffix(".json") }
        #expect(Set(folders) == Set(SkeletonTests.fixtureModels + Self.fixtureModels + DecoderConformanceTests.models))
    }

    @Test(arguments: fixtureModels)
    func skeletonMatchesTransformers(fixture: String) throws {
        try SkeletonTests().skeletonMatchesTransformers(fixture: fixture)
    }

    @Test(arguments: fixtureModels, LoadConformanceTests.Mode.allCases)
    func loadMatchesTransformers(fixture: String, mode: LoadConformanceTests.Mode) throws {
        try LoadConformanceTests().loadMatchesTransformers(fixture: "models/" + fixture, mode: mode)
    }

    /// all-MiniLM-L6-v2 / e5 layouts: the base model's own names load into the base model with an
    /// empty report; their legacy `embeddings.position_ids` is ignored, not unexpected.
    @Test(arguments: ["cases/bert-sentence-transformers", "cases/xlm-roberta-sentence-transformers"])
    func sentenceTransformersLayoutsLoadWithAnEmptyReport(fixture: String) throws {
        let model = try load(pretrained: Fixtures.path(fixture))
        #expect(model.report.missing.isEmpty && model.report.unexpected.isEmpty && model.report.mismatched.isEmpty)
        #expect(model.report.ignored == ["embeddings.position_ids"])
        #expect(model.parameters.first?.name == "embeddings.word_embeddings.weight")
    }

    @Test func maskedLMHeadsShareTheWordEmbeddings() throws {
        for (fixture, decoder, embeddings) in [
            ("RobertaForMaskedLM", "lm_head.decoder.weight", "roberta.embeddings.word_embeddings.weight"),
            ("XLMRobertaForMaskedLM", "lm_head.decoder.weight", "roberta.embeddings.word_embeddings.weight"),
        ] {
            let model = try load(pretrained: Fixtures.path("models/" + fixture))
            #expect(try #require(model[decoder]).sharesStorage(with: try #require(model[embeddings])))
            #expect(try #require(model["lm_head.decoder.bias"]).sharesStorage(with: try #require(model["lm_head.bias"])))
        }
    }

    /// `num_labels` as `PreTrainedConfig` derives it: `id2label`'s size first, then `num_labels`, then 2.
    @Test func classifierWidthFollowsTheLabels() throws {
        let path = Fixtures.path("models/BertForSequenceClassification/config.json")
        let config = try ModelConfig.read(path: path)
        #expect(try MetaModel(config: config).slot(named: "classifier.weight")?.shape == [3, 32])
        let counted = config.setting("id2label", to: .null).setting("num_labels", to: 7)
        #expect(try MetaModel(config: counted).slot(named: "classifier.weight")?.shape == [7, 32])
        let bare = config.setting("id2label", to: .null)
        #expect(try MetaModel(config: bare).slot(named: "classifier.weight")?.shape == [2, 32])
        #expect(throws: PretrainedError.self) { try MetaModel(config: config.setting("id2label", to: [1, 2])) }
        let vit = try ModelConfig.read(path: Fixtures.path("models/ViTForImageClassification/config.json"))
        let headless = try MetaModel(config: vit.setting("id2label", to: .object([])))
        #expect(headless.slot(named: "classifier.weight") == nil)
        #expect(headless.slots.last?.name == "vit.layernorm.bias")
    }
}

/// A stored tensor cut into several slots (`.split`: NomicBERT's fused `Wqkv`) reads the same
/// through every path: views of the mapping, copies, `pread`, streamed compressed shards (one
/// stored tensor routed to three slots), and with a dtype conversion.
@Suite struct SplitConversionTests {
    static let fixture = "models/NomicBertModel"

    @Test func chunksAreViewsOfTheStoredTensor() throws {
        let model = try load(pretrained: Fixtures.path(Self.fixture))
        let chunks = ["q_proj", "k_proj", "v_proj"].map { "layers.0.self_attn.\($0).weight" }
        #expect(model.report.converted.first { $0.name == chunks[0] }?.from == ["encoder.layers.0.attn.Wqkv.weight"])
        for name in chunks { #expect(try #require(model[name]).storage.isMapped) }
        #expect(Set(chunks.map { model[$0]?.sha256() }).count == 3)
    }

    @Test(arguments: [ShardCompression.zstd, .lz4])
    func compressedShardsFeedEveryChunk(compression: ShardCompression) throws {
        let output = try TemporaryDirectory()
        _ = try CheckpointCompressor.compress(try Checkpoint.resolve(Fixtures.path(Self.fixture)), to: output.path,
                                              options: .init(compression: compression, frameSize: 1000))
        let plain = try load(pretrained: Fixtures.path(Self.fixture))
        let compressed = try load(pretrained: output.path)
        #expect(compressed.parameters.map { $0.sha256() } == plain.parameters.map { $0.sha256() })
        #expect(compressed.report == plain.report)
    }

    @Test func convertedChunksEqualTheConvertedWhole() throws {
        let plain = try load(pretrained: Fixtures.path(Self.fixture))
        for backend in [ReadBackend.mmap, .pread] {
            var options = LoadOptions(dtype: .fixed(.f16))
            options.backend = backend
            let half = try load(pretrained: Fixtures.path(Self.fixture), options: options)
            for name in ["layers.1.self_attn.q_proj.weight", "layers.1.self_attn.v_proj.weight"] {
                let wide = try #require(plain[name]).floats().map { Float(Float16($0)) }
                #expect(try #require(half[name]).floats() == wide, "\(name) \(backend)")
            }
        }
    }
}

/// The two exactness fixes of issue 13 in the existing families.
@Suite struct ExactnessFixTests {
    /// Hub-layout GPT-2 checkpoints' `h.N.attn.masked_bias` are unexpected, as `transformers` 5.23
    /// reports them; the causal-mask `h.N.attn.bias` stays ignored.
    @Test func gpt2MaskedBiasIsUnexpected() throws {
        let model = try load(pretrained: Fixtures.path("cases/gpt2-legacy-buffers"))
        #expect(model.report.unexpected == ["h.0.attn.masked_bias", "h.1.attn.masked_bias"])
        #expect(model.report.ignored == ["h.0.attn.bias", "h.1.attn.bias"])
    }

    /// A tie source reinitialized under `ignoreMismatchedSizes` keeps its target tied to it, and
    /// the target is not missing.
    @Test func mismatchedTieSourceKeepsItsTarget() throws {
        let path = Fixtures.path("cases/gpt2-tie-source-mismatch-ignored")
        let model = try load(pretrained: path, options: LoadOptions(ignoreMismatchedSizes: true))
        #expect(model.report.missing.isEmpty)
        #expect(model.report.tiedBothMissing.isEmpty)
        #expect(model.report.mismatched.map(\.name) == ["transformer.wte.weight"])
        #expect(model.tiedWeights.map(\.target) == ["lm_head.weight"])
        #expect(try #require(model["lm_head.weight"]).sharesStorage(with: try #require(model["transformer.wte.weight"])))
        #expect(throws: PretrainedError.self) { try load(pretrained: path) }
    }
}

/// Every new class builds a fresh model from its config alone (`PretrainedModel(config:seed:)`):
/// every slot allocated at its shape and dtype, norms at one, biases at zero, no NaN.
@Suite struct EncoderInitializationTests {
    @Test(arguments: EncoderConformanceTests.fixtureModels)
    func freshModelsInitialize(fixture: String) throws {
        let config = try ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json"))
        let model = try PretrainedModel(config: config, seed: 7)
        let meta = try MetaModel(config: config)
        #expect(model.parameters.map(\.name) == meta.slots.map(\.name))
        for tensor in model.parameters where tensor.dtype == .f32 {
            let values = try tensor.floats()
            let finite = values.allSatisfy { $0.isFinite }
            #expect(finite, "\(tensor.name)")
            if tensor.name.hasSuffix("LayerNorm.weight") || tensor.name.hasSuffix("layer_norm.weight") {
                #expect(values.allSatisfy { $0 == 1 }, "\(tensor.name)")
            }
            if tensor.name.hasSuffix("LayerNorm.bias") { #expect(values.allSatisfy { $0 == 0 }, "\(tensor.name)") }
        }
    }
}

/// How tower and composite classes read nested configs, as the config classes do.
@Suite struct NestedConfigTests {
    /// `attribute_map` aliases (`hidden_size` for DistilBERT's `dim`, BART's `d_model`) win over
    /// the class's own name when config.json has both, as `transformers` sets them.
    @Test func attributeMapAliasesWin() throws {
        let distil = try ModelConfig.read(path: Fixtures.path("models/DistilBertModel/config.json"))
        let both = distil.setting("hidden_size", to: 16).setting("num_hidden_layers", to: 1)
        let meta = try MetaModel(config: both)
        #expect(meta.slot(named: "embeddings.word_embeddings.weight")?.shape == [64, 16])
        #expect(meta.slot(named: "transformer.layer.1.ffn.lin1.weight") == nil)
        let bart = try ModelConfig.read(path: Fixtures.path("models/BartModel/config.json")).setting("hidden_size", to: 16)
        #expect(try MetaModel(config: bart).slot(named: "shared.weight")?.shape == [64, 16])
    }

    /// A tower class on a composite config reads its sub-config; on its own config, the top level.
    @Test func towersReadTheirSubConfig() throws {
        let composite = try ModelConfig.read(path: Fixtures.path("models/CLIPModel/config.json"))
        let tower = try ModelConfig.read(path: Fixtures.path("models/CLIPVisionModel/config.json"))
        let fromComposite = try MetaModel(config: composite, architecture: "CLIPVisionModel")
        let fromTower = try MetaModel(config: tower)
        #expect(fromComposite.slotLines == fromTower.slotLines)
        let full = try MetaModel(config: composite)
        #expect(fromTower.slotLines.map { "vision_model." + $0 } == full.slotLines.filter { $0.hasPrefix("vision_model.") })
    }

    /// A composite class on a tower's config takes the defaults for both towers (`CLIPConfig(**config_dict)`
    /// finds no `text_config` / `vision_config` there), as `transformers` does; its own top-level fields
    /// (`projection_dim`) still come from the file.
    @Test func compositesOnATowerConfigUseTheirDefaults() throws {
        for (tower, composite, modelType) in [("CLIPTextModel", "CLIPModel", "clip"), ("SiglipVisionModel", "SiglipModel", "siglip")] {
            let config = try ModelConfig.read(path: Fixtures.path("models/\(tower)/config.json"))
            let defaults = try ModelConfig(json: .object([(key: "model_type", value: .string(modelType))]))
            let towers = { (model: MetaModel) in model.slotLines.filter { $0.hasPrefix("text_model.") || $0.hasPrefix("vision_model.") } }
            #expect(try towers(MetaModel(config: config, architecture: composite))
                == towers(MetaModel(config: defaults, architecture: composite)), "\(tower)")
        }
    }
}

/// Parameters whose `_init_weights` rule is not the default one.
@Suite struct EncoderSpecialInitializationTests {
    func fresh(_ fixture: String) throws -> PretrainedModel {
        try PretrainedModel(config: ModelConfig.read(path: Fixtures.path("models/\(fixture)/config.json")), seed: 3)
    }

    @Test func specialParametersStartAsTransformersSetsThem() throws {
        #expect(try #require(fresh("BartForConditionalGeneration")["final_logits_bias"]).floats().allSatisfy { $0 == 0 })
        let clip = try fresh("CLIPModel")
        #expect(try #require(clip["logit_scale"]).floats() == [Float(2.6592)])
        let siglip = try fresh("SiglipModel")
        #expect(try #require(siglip["logit_scale"]).floats() == [0])
        #expect(try #require(siglip["logit_bias"]).floats() == [0])
    }
}
