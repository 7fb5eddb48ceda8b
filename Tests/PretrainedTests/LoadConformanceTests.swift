import Foundation
import Testing
@testable import Pretrained
@testable import PretrainedCLI

/// Every committed fixture loads exactly as `transformers` 5.23's `from_pretrained` loaded it:
/// names in order, dtypes, shapes, the SHA-256 of every tensor's bytes, storage sharing, the
/// tied map and the load report.
@Suite struct LoadConformanceTests {
    static let models = SkeletonTests.fixtureModels.map { "models/" + $0 }
    static let cases = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.path("cases")))?.sorted()
        .map { "cases/" + $0 } ?? []

    static func options(for expected: JSONValue) -> LoadOptions {
        var options = LoadOptions(architecture: expected["architecture"]?.stringValue)
        let kwargs = expected["load_kwargs"]
        if let name = kwargs?["dtype"]?.stringValue, let dtype = DType(torchName: name) { options.dtype = .fixed(dtype) }
        options.ignoreMismatchedSizes = kwargs?["ignore_mismatched_sizes"]?.boolValue ?? false
        options.keyMapping = (kwargs?["key_mapping"]?.objectValue ?? []).map { ($0.key, $0.value.stringValue ?? "") }
        return options
    }

    /// Zero-copy views, owned copies, and the pread backend.
    /// `direct`: `pread` with `LoadOptions.directIO` (`O_DIRECT` where the file system allows).
    enum Mode: String, CaseIterable, Sendable { case views, copy, pread, direct }

    @Test(arguments: models + cases, Mode.allCases)
    func loadMatchesTransformers(fixture: String, mode: Mode) throws {
        let expected = try Fixtures.json(fixture + "/expected.json")
        var options = Self.options(for: expected)
        options.backend = mode == .pread || mode == .direct ? .pread : .mmap
        options.copy = mode == .copy
        options.directIO = mode == .direct ? .always : .never
        if let error = expected["error"] {
            #expect(error.stringValue?.contains("ignore_mismatched_sizes") == true)
            #expect(throws: PretrainedError.self) { try load(pretrained: Fixtures.path(fixture), options: options) }
            return
        }
        let model = try load(pretrained: Fixtures.path(fixture), options: options)
        let parameters = try #require(expected["parameters"]?.arrayValue)
        let nondeterministic = Set((expected["nondeterministic"]?.arrayValue ?? []).compactMap(\.stringValue))

        #expect(model.architecture == expected["architecture"]?.stringValue)
        #expect(model.parameters.map { "\($0.name) \($0.dtype.rawValue) [\($0.shape.map(String.init).joined(separator: ","))]" }
            == Expected.slots(expected["parameters"]))
        for (tensor, entry) in zip(model.parameters, parameters) where !nondeterministic.contains(tensor.name) {
            #expect(tensor.sha256() == entry["sha256"]?.stringValue, "sha256 of \(tensor.name)")
            #expect(model.storageName(of: tensor.name) == entry["storage"]?.stringValue, "storage of \(tensor.name)")
        }
        #expect(model.tiedWeights.map { "\($0.target) -> \($0.source)" } == Expected.tied(expected["tied"]))

        let info = expected["loading_info"]
        let strings = { (key: String) in (info?[key]?.arrayValue ?? []).compactMap(\.stringValue).sorted() }
        #expect(model.report.missing == strings("missing_keys"))
        #expect(model.report.unexpected == strings("unexpected_keys"))
        let mismatched = (info?["mismatched_keys"]?.arrayValue ?? []).map {
            LoadReport.Mismatch(name: $0["name"]?.stringValue ?? "",
                                checkpointShape: ($0["checkpoint_shape"]?.arrayValue ?? []).compactMap(\.intValue),
                                modelShape: ($0["model_shape"]?.arrayValue ?? []).compactMap(\.intValue))
        }
        #expect(model.report.mismatched == mismatched)
        #expect(model.plans.json == Expected.plans(expected["plans"]))
    }

    @Test func defaultLoadOfASameDTypeCheckpointCopiesNoBytes() throws {
        let model = try load(pretrained: Fixtures.path("models/LlamaForCausalLM"))
        #expect(model.parameters.allSatisfy { $0.storage.isMapped })
        let copied = try load(pretrained: Fixtures.path("models/LlamaForCausalLM"), options: LoadOptions(copy: true))
        #expect(copied.parameters.allSatisfy { !$0.storage.isMapped })
        for (view, copy) in zip(model.parameters, copied.parameters) { #expect(view.bytes == copy.bytes) }
    }

    @Test func tiedNamesShareOneStorage() throws {
        let model = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"))
        let head = try #require(model["lm_head.weight"])
        let embedding = try #require(model["transformer.wte.weight"])
        #expect(head.sharesStorage(with: embedding))
        let lmHeadOnly = try load(pretrained: Fixtures.path("cases/gpt2-lmhead-only"))
        #expect(lmHeadOnly.report.tiedFromCheckpoint == [.init(filled: "transformer.wte.weight", from: "lm_head.weight")])
        #expect(try #require(lmHeadOnly["lm_head.weight"]).sharesStorage(with: try #require(lmHeadOnly["transformer.wte.weight"])))
        let different = try load(pretrained: Fixtures.path("cases/gpt2-both-different"))
        #expect(different.report.untied == [.init(target: "lm_head.weight", source: "transformer.wte.weight")])
        let absent = try load(pretrained: Fixtures.path("cases/gpt2-both-absent"))
        #expect(absent.report.tiedBothMissing == [.init(target: "lm_head.weight", source: "transformer.wte.weight")])
    }

    @Test func mixtralPerExpertKeysAreFusedAndReported() throws {
        let model = try load(pretrained: Fixtures.path("cases/mixtral-per-expert"))
        let fused = try #require(model.report.converted.first { $0.name == "model.layers.0.mlp.experts.gate_up_proj" })
        #expect(fused.from.count == 8)  // 4 experts x (w1, w3)
        #expect(fused.from.first == "model.layers.0.block_sparse_moe.experts.0.w1.weight")
        #expect(fused.from.allSatisfy { $0.contains(".block_sparse_moe.experts.") })
    }

    @Test func shapeMismatchNamesTheTensorAndBothShapes() throws {
        let path = Fixtures.path("cases/llama-shape-mismatch")
        #expect(throws: PretrainedError.shapeMismatch(file: path + "/model.safetensors", tensor: "model.layers.0.mlp.up_proj.weight",
                                                      checkpointShape: [16, 16], modelShape: [24, 16])) {
            try load(pretrained: path)
        }
    }
}

/// Loading shards on several cores gives the same model as loading them one by one.
@Suite struct ParallelLoadTests {
    @Test(arguments: ["models/GPT2LMHeadModel", "models/LlamaForCausalLM", "cases/llama-bf16-as-f32"])
    func parallelAndSequentialLoadsAgree(fixture: String) throws {
        var sequential = LoadOptions(copy: true)
        sequential.parallel = false
        var parallel = LoadOptions(copy: true)
        parallel.parallel = true
        let one = try load(pretrained: Fixtures.path(fixture), options: sequential)
        let many = try load(pretrained: Fixtures.path(fixture), options: parallel)
        #expect(one.parameters.map { $0.sha256() } == many.parameters.map { $0.sha256() })
        #expect(one.report == many.report)
    }

    @Test func progressReportsEachShardOnceDoneAndBytesWithin() throws {
        let seen = ProgressLog()
        var options = LoadOptions(copy: true)
        options.parallel = false  // one reading thread: reports arrive in order
        options.progress = { seen.append($0) }
        _ = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"), options: options)
        let events = seen.events
        // Each shard's completion raises shardsDone once; arrivals within shards repeat the count.
        let completions = zip([0] + events.map(\.shardsDone), events).filter { $0 != $1.shardsDone }.map(\.1.shardsDone)
        #expect(completions == [1, 2, 3, 4])
        #expect(events.count > 4)
        #expect(events.map(\.bytesDone).max() == events.first?.totalBytes)
    }
}

final class ProgressLog: @unchecked Sendable {
    private var storage: [LoadProgress] = []
    private let lock = NSLock()
    func append(_ event: LoadProgress) { lock.withLock { storage.append(event) } }
    var events: [LoadProgress] { lock.withLock { storage } }
}

@Suite struct StorageNameTests {
    @Test(arguments: ["models/BertForMaskedLM", "models/T5ForConditionalGeneration", "cases/gpt2-lmhead-only"])
    func storageNamesAgreeWithTheOneByOneLookup(fixture: String) throws {
        let model = try load(pretrained: Fixtures.path(fixture))
        #expect(model.storageNames() == model.parameters.map { model.storageName(of: $0.name) ?? "" })
    }
}
