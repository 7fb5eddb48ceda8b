import Testing
@testable import Pretrained

/// Parameters the checkpoint does not provide are initialized as the family's `_init_weights`
/// does (seeded), not left as zeros, and the report says which.
@Suite struct MissingInitializationTests {
    /// GPT-2's base checkpoint loaded into the head class: all present (lm_head is tied). The
    /// Llama head-into-base case: the missing parameters are the head's.
    @Test func missingParametersAreInitializedAndReported() throws {
        let path = Fixtures.path("cases/llama-base-into-causal-lm")
        let model = try load(pretrained: path)
        #expect(!model.report.missing.isEmpty)
        #expect(model.report.initialized == model.report.missing.filter { name in
            model.meta.slots.first { $0.name == name }?.kind == .parameter
        })
        let rules = try WeightInitialization.rules(for: model.meta)
        for name in model.report.initialized {
            let values = try #require(model[name]).floats()
            let index = try #require(model.meta.index(of: name))
            switch rules[index] {
            case .normal, .normalWithZeroRow:
                #expect(values.contains { $0 != 0 }, "\(name) is still zero")
                let std = (values.map { Double($0 * $0) }.reduce(0, +) / Double(values.count)).squareRoot()
                #expect(std > 0.005 && std < 0.08, "\(name): std \(std) for initializer_range 0.02")
            case .ones: #expect(values.allSatisfy { $0 == 1 }, "\(name)")
            case .zeros: #expect(values.allSatisfy { $0 == 0 }, "\(name)")
            case .constant(let value): #expect(values.allSatisfy { $0 == Float(value) }, "\(name)")
            }
        }
    }

    @Test func theSeedDecidesTheBytes() throws {
        let path = Fixtures.path("cases/llama-base-into-causal-lm")
        var options = LoadOptions()
        let first = try load(pretrained: path, options: options)
        let again = try load(pretrained: path, options: options)
        options.initializationSeed = 7
        let other = try load(pretrained: path, options: options)
        let name = try #require(first.report.initialized.first)
        #expect(first[name]?.sha256() == again[name]?.sha256())
        #expect(first[name]?.sha256() != other[name]?.sha256())
        // Loaded parameters are the checkpoint's whatever the seed.
        let loaded = try #require(first.parameters.first { !first.report.initialized.contains($0.name) })
        #expect(loaded.sha256() == other[loaded.name]?.sha256())
    }
}
