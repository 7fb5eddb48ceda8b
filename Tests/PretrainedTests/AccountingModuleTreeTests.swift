import Testing
@testable import Pretrained

/// The full module trees (stateless modules and non-persistent buffers included) match what
/// `transformers` 5.23 builds (`configs/expected_module_trees.json`): what device maps and memory
/// accounting walk. `slots` must not change: non-persistent buffers are not in `state_dict()`.
@Suite struct AccountingModuleTreeTests {
    struct Tree: CustomTestStringConvertible, Sendable {
        var label: String
        var config: ModelConfig
        var architecture: String
        var expected: JSONValue
        var testDescription: String { label }
    }

    static let trees: [Tree] = {
        guard let fixture = try? Fixtures.json("configs/expected_module_trees.json") else { return [] }
        var trees: [Tree] = []
        for (name, classes) in fixture["configs"]?.objectValue ?? [] {
            guard let config = try? ModelConfig.read(path: Fixtures.path("configs/\(name)/config.json")) else { continue }
            for (className, expected) in classes.objectValue ?? [] {
                trees.append(Tree(label: "\(name) \(className)", config: config, architecture: className, expected: expected))
            }
        }
        for (folder, expected) in fixture["models"]?.objectValue ?? [] {
            guard let config = try? ModelConfig.read(path: Fixtures.path("models/\(folder)/config.json")),
                  let className = expected["architecture"]?.stringValue else { continue }
            trees.append(Tree(label: "models/\(folder)", config: config, architecture: className, expected: expected))
        }
        for (name, expected) in fixture["synthetic"]?.objectValue ?? [] {
            guard let json = expected["config"], let config = try? ModelConfig(json: json),
                  let className = expected["architecture"]?.stringValue else { continue }
            trees.append(Tree(label: "synthetic \(name)", config: config, architecture: className, expected: expected))
        }
        return trees
    }()

    @Test func everyTreeIsLoaded() {
        #expect(Self.trees.count >= 30)
    }

    @Test(arguments: trees)
    func modulesAndBuffersMatchTransformers(_ tree: Tree) throws {
        let model = try MetaModel(config: tree.config, architecture: tree.architecture)
        let flat = ModuleTree(model)
        let expectedModules = try #require(tree.expected["modules"]?.arrayValue).compactMap(\.stringValue)
        #expect(flat.nodes.map { "\($0.name) \($0.className)" } == expectedModules)

        let slotNames = Set(model.slots.map(\.name))
        let buffers = flat.tensors.filter { !$0.isParameter }.map { tensor in
            "\(tensor.name) \(tensor.dtype.rawValue) \(tensor.shape) persistent=\(slotNames.contains(tensor.name))"
        }
        let expectedBuffers = try #require(tree.expected["buffers"]?.arrayValue).map { buffer in
            "\(buffer["name"]?.stringValue ?? "?") \(buffer["dtype"]?.stringValue ?? "?") "
                + "\((buffer["shape"]?.arrayValue ?? []).compactMap(\.intValue)) persistent=\(buffer["persistent"]?.boolValue ?? false)"
        }
        #expect(buffers == expectedBuffers)
        let nonPersistent = expectedBuffers.filter { $0.hasSuffix("persistent=false") }
        #expect(model.nonPersistentBuffers.count == nonPersistent.count)
    }

    /// Non-persistent buffers keep their own dtype whatever the model's, and never become slots.
    @Test func nonPersistentBuffersAreNotSlots() throws {
        let config = try ModelConfig.read(path: Fixtures.path("configs/Llama-2-7b-hf/config.json"))
        let model = try MetaModel(config: config, dtype: .bf16)
        #expect(model.slot(named: "model.rotary_emb.inv_freq") == nil)
        #expect(model.nonPersistentBuffers.map(\.name) == ["model.rotary_emb.inv_freq", "model.rotary_emb.original_inv_freq"])
        #expect(model.nonPersistentBuffers.allSatisfy { $0.dtype == .f32 && $0.shape == [64] && $0.kind == .buffer })

        let bert = try MetaModel(config: ModelConfig.read(path: Fixtures.path("configs/bert-base-uncased/config.json")))
        #expect(bert.nonPersistentBuffers.map { "\($0.name) \($0.dtype.rawValue) \($0.shape)" }
            == ["bert.embeddings.position_ids I64 [1, 512]", "bert.embeddings.token_type_ids I64 [1, 512]"])
    }

    /// A scaled RoPE with a partial factor outside (0, 1] is refused with the config's name.
    @Test func impossibleRotaryFactorsAreConfigErrors() throws {
        let config = try ModelConfig(json: .object([
            (key: "architectures", value: ["LlamaModel"]), (key: "num_hidden_layers", value: 1),
            (key: "rope_scaling", value: .object([(key: "rope_type", value: "linear"), (key: "factor", value: 2),
                                                  (key: "partial_rotary_factor", value: 0)])),
        ]))
        #expect(throws: PretrainedError.invalidConfig(file: "config.json", reason: "'partial_rotary_factor' must be in (0, 1], not 0.0")) {
            try MetaModel(config: config)
        }
    }
}
