import Testing
@testable import Pretrained

/// The decoder families' full module trees (stateless modules, non-persistent buffers such as
/// `rotary_emb.*inv_freq` and Gemma's `embed_scale`) match `transformers` 5.23
/// (`configs/expected_module_trees_decoders.json`).
@Suite struct DecoderModuleTreeTests {
    static let trees: [AccountingModuleTreeTests.Tree] = {
        guard let fixture = try? Fixtures.json("configs/expected_module_trees_decoders.json") else { return [] }
        var trees: [AccountingModuleTreeTests.Tree] = []
        for (name, classes) in fixture["configs"]?.objectValue ?? [] {
            guard let config = try? ModelConfig.read(path: Fixtures.path("configs/\(name)/config.json")) else { continue }
            for (className, expected) in classes.objectValue ?? [] {
                trees.append(.init(label: "\(name) \(className)", config: config, architecture: className, expected: expected))
            }
        }
        for (folder, expected) in fixture["models"]?.objectValue ?? [] {
            guard let config = try? ModelConfig.read(path: Fixtures.path("models/\(folder)/config.json")),
                  let className = expected["architecture"]?.stringValue else { continue }
            trees.append(.init(label: "models/\(folder)", config: config, architecture: className, expected: expected))
        }
        return trees
    }()

    @Test func everyTreeIsLoaded() {
        #expect(Self.trees.count >= 40)
    }

    @Test(arguments: trees)
    func modulesAndBuffersMatchTransformers(_ tree: AccountingModuleTreeTests.Tree) throws {
        try AccountingModuleTreeTests().modulesAndBuffersMatchTransformers(tree)
    }
}
