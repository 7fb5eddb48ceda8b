import Testing
@testable import Pretrained
@testable import PretrainedCLI

/// `MetaModel.inferDeviceMap` against `accelerate` 1.15's `infer_auto_device_map` on the same
/// configs, classes, budgets, dtypes and no-split lists (`configs/expected_device_maps.json`).
@Suite struct DeviceMapConformanceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var index: Int
        var json: JSONValue
        var testDescription: String {
            "\(json["config"]?.stringValue ?? "?") \(json["architecture"]?.stringValue ?? "?") "
                + "\(json["max_memory"]?.stringValue ?? "?") \(json["dtype"]?.stringValue ?? "config dtype")"
        }
    }

    static let cases: [Case] = {
        guard let all = try? Fixtures.json("configs/expected_device_maps.json")["cases"]?.arrayValue else { return [] }
        return all.enumerated().map { Case(index: $0.offset, json: $0.element) }
    }()

    @Test func everyReferenceCaseIsLoaded() {
        #expect(Self.cases.count >= 33)
    }

    @Test(arguments: cases)
    func deviceMapMatchesAccelerate(_ testCase: Case) throws {
        let json = testCase.json
        let config = try ModelConfig.read(path: Fixtures.path("configs/\(try #require(json["config"]?.stringValue))/config.json"))
        // A null dtype: the config's dtype for the model and accelerate's dtype=None for the sizes.
        let dtype: DType? = json["dtype"]?.isNull == true ? nil : try #require(DType(rawValue: json["dtype"]?.stringValue ?? ""))
        let model = try MetaModel(config: config, architecture: json["architecture"]?.stringValue, dtype: dtype)
        let noSplit = try #require(json["no_split"]?.arrayValue).compactMap(\.stringValue)
        let budget = try MaxMemory(parsing: try #require(json["max_memory"]?.stringValue))

        let map = try model.inferDeviceMap(maxMemory: budget, noSplitModules: noSplit, dtype: dtype)

        let expected = try #require(json["device_map"]?.objectValue).map { "\($0.key) -> \(Self.device($0.value))" }
        #expect(map.entries.map { "\($0.module) -> \($0.device)" } == expected)
        let expectedBytes = try #require(json["device_bytes"]?.objectValue)
        #expect(Dictionary(uniqueKeysWithValues: map.bytes.map { ($0.key.description, $0.value) })
            == Dictionary(uniqueKeysWithValues: expectedBytes.map { ($0.key, $0.value.intValue ?? -1) }))
        #expect(map.json["device_map"] == json["device_map"])
    }

    /// A device as the fixture writes it: an integer ordinal, or `cpu` / `disk`.
    static func device(_ value: JSONValue) -> String {
        value.intValue.map(String.init) ?? value.stringValue ?? "?"
    }

    /// The default no-split list and dtype reproduce the case that used the architecture's list.
    @Test func defaultsAreTheArchitecturesNoSplitModules() throws {
        let config = try ModelConfig.read(path: Fixtures.path("configs/gpt2/config.json"))
        let model = try MetaModel(config: config)
        let budget = try MaxMemory(parsing: "0=200MB,cpu=200MB,disk=1GB")
        #expect(try model.inferDeviceMap(maxMemory: budget) == model.inferDeviceMap(maxMemory: budget, noSplitModules: ["GPT2Block"],
                                                                                    dtype: .f32))
    }

    /// Every tensor of the model is covered by exactly the device of its longest-prefix entry,
    /// and tied parameters share a device.
    @Test func everyTensorHasADeviceAndTiesStayTogether() throws {
        let config = try ModelConfig.read(path: Fixtures.path("configs/t5-small/config.json"))
        let model = try MetaModel(config: config)
        let map = try model.inferDeviceMap(maxMemory: MaxMemory(parsing: "0=60MB,cpu=60MB"), dtype: .f16)
        for slot in model.slots { #expect(map.device(of: slot.name) != nil, "\(slot.name)") }
        for pair in model.tiedWeights {
            #expect(map.device(of: pair.target) == map.device(of: pair.source), "\(pair.target)")
        }
        #expect(map.device(of: "encoder.block.1.layer.0.SelfAttention.q.weight") == .accelerator(0))
        #expect(map.device(of: "decoder.block.4.layer.2.DenseReluDense.wo.weight") == .disk)
    }

    /// Where `accelerate` fails with an `IndexError` (a tied parameter whose module was already
    /// placed with another tie), inference throws instead (case found by comparing random budgets).
    @Test func accelerateFailuresAreTypedErrors() throws {
        let model = try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/bert-base-uncased/config.json")),
                                  dtype: .f16)
        #expect(throws: PretrainedError.placementFailed(
            reason: "the tied parameter 'cls.predictions.decoder.bias' has no module left to place it with")) {
            try model.inferDeviceMap(maxMemory: MaxMemory(parsing: "0=53525184,disk=438073576"), noSplitModules: [], dtype: .f16)
        }
    }

    /// With room for everything on one device the map is `{"": device}`.
    @Test func aModelThatFitsIsPlacedWhole() throws {
        let config = try ModelConfig.read(path: Fixtures.path("models/LlamaForCausalLM/config.json"))
        let model = try MetaModel(config: config)
        let map = try model.inferDeviceMap(maxMemory: MaxMemory(parsing: "0=1GB"))
        #expect(map.entries == [DeviceMap.Entry(module: "", device: .accelerator(0))])
        #expect(map.bytes == [.accelerator(0): model.moduleSizes()[""]])
        #expect(map.device(of: "lm_head.weight") == .accelerator(0))
    }

    /// Budgets too small for anything send the model to disk, which `accelerate` always appends.
    @Test func diskIsAlwaysAvailable() throws {
        let config = try ModelConfig.read(path: Fixtures.path("configs/gpt2/config.json"))
        let model = try MetaModel(config: config)
        let map = try model.inferDeviceMap(maxMemory: MaxMemory(parsing: "0=1KB,cpu=1KB"))
        #expect(map.entries == [DeviceMap.Entry(module: "", device: .disk)])
    }
}
