import Foundation
import Testing
@testable import Pretrained

/// Hostile `config.json` files beside a valid checkpoint: each load must finish or throw a typed
/// `PretrainedError`. The config decides the skeleton's shapes before any byte is read, so it is
/// the place where a stranger can ask for absurd amounts of memory.
@Suite struct HostileConfigTests {
    /// The committed GPT-2 fixture copied into a fresh folder with its config changed.
    static func checkpoint(config: (inout String) -> Void) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let source = Fixtures.path("models/GPT2Model")
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: directory.file(name))
        }
        var text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.file("config.json"))), as: UTF8.self)
        config(&text)
        try directory.write("config.json", text: text)
        return directory
    }

    /// The config's member `key` set to `replacement` (raw JSON text), added when absent.
    static func setting(_ key: String, to replacement: String) -> (inout String) -> Void {
        { text in
            guard var members = try? JSONParser.parse(Array(text.utf8)).objectValue else { return }
            if let i = members.firstIndex(where: { $0.key == key }) {
                members[i].value = "@@VALUE@@"
            } else {
                members.append((key, "@@VALUE@@"))
            }
            text = JSONValue.object(members).serialized(pretty: true)
                .replacingOccurrences(of: "\"@@VALUE@@\"", with: replacement)
        }
    }

    static let mutations: [(String, String)] = [
        ("n_layer", "-1"), ("n_layer", "0"), ("n_layer", "1.5"), ("n_layer", "\"2\""), ("n_layer", "null"), ("n_layer", "1e999"),
        ("n_embd", "0"), ("n_embd", "-32"), ("n_embd", "33"), ("n_embd", "[32]"), ("n_head", "0"), ("n_head", "-4"),
        ("n_head", "5"), ("vocab_size", "0"), ("vocab_size", "-1"), ("vocab_size", "{}"), ("n_positions", "-1"),
        ("n_inner", "-5"), ("n_inner", "\"big\""), ("architectures", "5"), ("architectures", "[]"), ("architectures", "[\"Evil\"]"),
        ("architectures", "[1]"), ("model_type", "1"), ("model_type", "\"evil\""), ("model_type", "null"),
        ("tie_word_embeddings", "\"yes\""), ("tie_word_embeddings", "2"), ("layer_norm_epsilon", "\"x\""), ("dtype", "\"float128\""),
        ("dtype", "7"), ("initializer_range", "-1e308"),
    ]

    @Test func configMutantsLoadOrFailWithATypedError() throws {
        for (key, value) in Self.mutations {
            let directory = try Self.checkpoint(config: Self.setting(key, to: value))
            let written = String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.file("config.json"))), as: UTF8.self)
            #expect(written.contains("\"\(key)\": \(value)"), "the mutation \(key): \(value) was not applied")
            do {
                let model = try load(pretrained: directory.path)
                #expect(!model.parameters.isEmpty, "\(key): \(value)")
            } catch {
                #expect(!error.description.isEmpty, "\(key): \(value)")
            }
        }
    }

    @Test func malformedConfigDocumentsAreInvalidConfig() throws {
        for text in ["", "[]", "{", "{\"n_layer\": 2,}", "null", String(repeating: "[", count: 100_000), "{\"a\":\"\u{1}\"}"] {
            let directory = try Self.checkpoint { $0 = text }
            #expect(throws: PretrainedError.self, "\(text.prefix(20))") { try load(pretrained: directory.path) }
        }
        let directory = try Self.checkpoint { _ in }
        try directory.write("config.json", bytes: Array("{\"model_type\": \"gpt".utf8) + [0xFF] + Array("2\"}".utf8))
        #expect(throws: PretrainedError.self) { try load(pretrained: directory.path) }
    }

    /// A config may ask for up to `ModelConfig.maximumCount` layers; building, planning and
    /// loading must stay roughly linear in them, or a small config file becomes a denial of
    /// service. 4,096 layers of a tiny model (the checkpoint holds 2) must load in seconds.
    @Test func manyLayersLoadInBoundedTime() throws {
        let clock = ContinuousClock()
        var times: [Duration] = []
        for layers in [1024, 4096] {
            let directory = try Self.checkpoint(config: Self.setting("n_layer", to: "\(layers)"))
            let started = clock.now
            let model = try load(pretrained: directory.path)
            #expect(model.report.missing.count > layers)
            times.append(clock.now - started)
        }
        print("load with 1024 and 4096 layers: \(times)")
        #expect(times[1] < .seconds(20), "4096 layers took \(times[1])")
    }

    // Dimensions so large that their slots cannot exist: a typed error is the only right answer
    // (they used to trap). Each runs in a child process, so that a regression fails this test
    // instead of killing the whole run.

    @Test func hugeLayerCountIsInvalidConfig() async {
        await #expect(processExitsWith: .success) { HostileConfigTests.expectInvalidConfig("n_layer", "1000000000") }
    }

    @Test func overflowingShapeIsATypedError() async {
        await #expect(processExitsWith: .success) {
            HostileConfigTests.expectInvalidConfig("vocab_size", "4611686018427387904", then: ("n_embd", "4611686018427387904"))
        }
        await #expect(processExitsWith: .success) {
            HostileConfigTests.expectInvalidConfig("n_embd", "2147483644", ignoreMismatchedSizes: true)
        }
    }

    @Test func hugeSlotWithIgnoredMismatchIsATypedError() async {
        await #expect(processExitsWith: .success) {
            HostileConfigTests.expectInvalidConfig("vocab_size", "1099511627776", ignoreMismatchedSizes: true)
        }
        await #expect(processExitsWith: .success) {
            HostileConfigTests.expectInvalidConfig("vocab_size", "2147483647", ignoreMismatchedSizes: true, anyTypedError: true)
        }
    }

    /// In a child process: loads the fixture with `key` set to `value`; exits 0 when the load
    /// fails with `invalidConfig` (or any typed error with `anyTypedError`), 1 otherwise.
    static func expectInvalidConfig(_ key: String, _ value: String, then second: (String, String)? = nil,
                                    ignoreMismatchedSizes: Bool = false, anyTypedError: Bool = false) {
        do {
            let directory = try checkpoint { text in
                setting(key, to: value)(&text)
                if let second { setting(second.0, to: second.1)(&text) }
            }
            _ = try load(pretrained: directory.path, options: LoadOptions(ignoreMismatchedSizes: ignoreMismatchedSizes))
        } catch let error as PretrainedError {
            if case .invalidConfig = error { return }
            if anyTypedError { return }
            print("unexpected error: \(error)")
        } catch {
            print("unexpected error: \(error)")
        }
        exit(1)
    }
}
