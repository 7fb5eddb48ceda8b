import Foundation
import Testing
@testable import Pretrained

/// The reader skips memory for slots tying will fill; its prediction must be the finalizer's own
/// tying. A tie source reinitialized after a shape mismatch counts as present in both.
@Suite struct TyingPredictionTests {
    /// T5 ties encoder.embed_tokens, decoder.embed_tokens and lm_head to shared. Here shared has the
    /// wrong shape (reinitialized under ignoreMismatchedSizes), encoder.embed_tokens is absent and
    /// decoder.embed_tokens present with different values.
    @Test func aReinitializedTieSourceIsPresentForTheReaderToo() throws {
        let fixture = Fixtures.path("models/T5ForConditionalGeneration")
        let original = try SafetensorsFile(path: fixture + "/model.safetensors", backend: .pread)
        var tensors = try original.tensors().filter { $0.name != "shared.weight" }
        let shared = try original.tensor(named: "shared.weight")
        var seed: UInt64 = 7
        tensors.append(try Tensor.random("shared.weight", shared.dtype, [3, shared.shape[1]], seed: &seed))
        tensors.append(try Tensor.random("decoder.embed_tokens.weight", shared.dtype, shared.shape, seed: &seed))
        let folder = try TemporaryDirectory()
        try SafetensorsWriter.write(tensors, to: folder.file("model.safetensors"))
        try FileManager.default.copyItem(atPath: fixture + "/config.json", toPath: folder.file("config.json"))

        for options in [LoadOptions(ignoreMismatchedSizes: true), LoadOptions(copy: true, ignoreMismatchedSizes: true)] {
            let model = try load(pretrained: folder.path, options: options)
            #expect(model.report.mismatched.map(\.name) == ["shared.weight"])
            let sharedSlot = try #require(model["shared.weight"])
            #expect(sharedSlot.shape == shared.shape && sharedSlot.byteCount == shared.byteCount)
            // The encoder's embedding shares the reinitialized source, as transformers ties it.
            #expect(try #require(model["encoder.embed_tokens.weight"]).sharesStorage(with: sharedSlot))
            #expect(!model.report.missing.contains("encoder.embed_tokens.weight"))
        }
    }
}
