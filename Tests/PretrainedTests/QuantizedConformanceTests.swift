import Foundation
import Testing
@testable import Pretrained

/// Pre-quantized checkpoints (`scripts/fixtures/quantized.py`): the packed mode holds every stored
/// tensor as stored with an exact report; the dequantized mode equals `transformers` 5.23 (FP8)
/// and `mlx.core.dequantize` (MLX affine) byte for byte.
@Suite struct QuantizedConformanceTests {
    static let fixtures = ["fp8-llama", "fp8-llama-edge", "fp8-qwen3-moe", "mxfp4-gpt-oss", "gptq-llama-4bit", "awq-llama-4bit", "mlx-llama-3bit", "mlx-llama-4bit", "mlx-llama-6bit", "mlx-llama-8bit"]

    static func entries(_ fixture: String, _ key: String) throws -> [(name: String, dtype: String, shape: [Int], sha: String)] {
        let expected = try Fixtures.json("quantized/\(fixture)/expected.json")
        guard case .object(let members)? = expected[key] else { return [] }
        return members.map { name, value in
            (name, value["dtype"]?.stringValue ?? "", (value["shape"]?.arrayValue ?? []).compactMap(\.intValue),
             value["sha256"]?.stringValue ?? "")
        }
    }

    /// What the packed model holds: the stored tensors, or (`"packed"`, when the checkpoint stores
    /// experts one by one) the experts and their scales merged as the conversion merges them.
    /// Expects every entry's tensor in `model` with its dtype, shape and SHA-256.
    static func expectTensors(of model: PretrainedModel,
                              equal expected: [(name: String, dtype: String, shape: [Int], sha: String)]) throws {
        var matched = 0
        for entry in expected {
            let tensor = try #require(model[entry.name], "\(entry.name)")
            let sha = tensor.sha256()
            #expect(tensor.dtype.rawValue == entry.dtype, "\(entry.name)")
            #expect(tensor.shape == entry.shape, "\(entry.name)")
            #expect(sha == entry.sha, "\(entry.name)")
            matched += sha == entry.sha ? 1 : 0
        }
        #expect(matched == expected.count)
    }

    static func packedEntries(_ fixture: String) throws -> [(name: String, dtype: String, shape: [Int], sha: String)] {
        let packed = try entries(fixture, "packed")
        return packed.isEmpty ? try entries(fixture, "stored") : packed
    }

    @Test(arguments: fixtures, [false, true])
    func packedHoldsEveryStoredTensorAsStored(fixture: String, copy: Bool) throws {
        let expected = try Self.packedEntries(fixture)
        #expect(expected.count >= 30)
        let model = try load(pretrained: Fixtures.path("quantized/\(fixture)"), options: LoadOptions(copy: copy))
        #expect(model.report.unexpected.isEmpty)
        #expect(model.report.missing.isEmpty)
        #expect(model.report.mismatched.isEmpty)
        try Self.expectTensors(of: model, equal: expected)
    }

    @Test(arguments: fixtures)
    func dequantizedEqualsTheReference(fixture: String) throws {
        let expected = try Self.entries(fixture, "dequantized")
        var options = LoadOptions()
        options.dequantize = true
        let model = try load(pretrained: Fixtures.path("quantized/\(fixture)"), options: options)
        #expect(model.parameters.count == expected.count)
        #expect(model.report.unexpected.isEmpty)
        #expect(model.report.missing.isEmpty)
        #expect(model.quantizedParameters.isEmpty)
        try Self.expectTensors(of: model, equal: expected)
    }

    @Test func fp8TypedViewAndSkippedModules() throws {
        let model = try load(pretrained: Fixtures.path("quantized/fp8-llama"))
        let views = model.quantizedParameters
        #expect(views.count == 14)   // 7 Linear modules in each of 2 layers; lm_head stays BF16
        let view = try #require(model.quantizedParameter(named: "model.layers.0.mlp.up_proj.weight"))
        #expect(view.format == .fp8Block(rows: 16, columns: 16))
        #expect(view.logicalShape == [64, 32] && view.logicalDType == .bf16)
        #expect(view.data.dtype == .f8e4m3 && view.scales.shape == [4, 2] && view.scales.dtype == .f32)
        #expect(view.biases == nil && view.blockSize == [16, 16])
        #expect(model["lm_head.weight"]?.dtype == .bf16)
    }

    @Test func gptqTypedView() throws {
        let model = try load(pretrained: Fixtures.path("quantized/gptq-llama-4bit"))
        #expect(model.quantizedParameters.count == 14)
        let view = try #require(model.quantizedParameter(named: "model.layers.0.mlp.down_proj.weight"))
        #expect(view.format == .gptq(groupSize: 16, bits: 4, zeroOffset: 1) && view.groupSize == 16)
        #expect(view.logicalShape == [32, 64] && view.logicalDType == .f16)
        #expect(view.data.dtype == .i32 && view.data.shape == [8, 32] && view.scales.shape == [4, 32])
        #expect(view.zeros?.shape == [4, 4] && view.groupIndices?.shape == [64] && view.biases == nil)
    }

    /// FP8 experts stored one by one land merged in FP8Experts' slots, each with its
    /// `[experts, grid rows, grid columns]` scale; the attention Linears are FP8 too, the router not.
    @Test func fp8ExpertsTypedView() throws {
        let model = try load(pretrained: Fixtures.path("quantized/fp8-qwen3-moe"))
        #expect(model.quantizedParameters.count == 12)   // 4 attention Linears + 2 expert projections, 2 layers
        let view = try #require(model.quantizedParameter(named: "model.layers.1.mlp.experts.gate_up_proj"))
        #expect(view.format == .fp8Block(rows: 16, columns: 16))
        #expect(view.logicalShape == [4, 96, 32] && view.logicalDType == .bf16)
        #expect(view.data.name == "model.layers.1.mlp.experts.gate_up_proj" && view.data.dtype == .f8e4m3)
        #expect(view.scales.name == "model.layers.1.mlp.experts.gate_up_proj_scale_inv" && view.scales.shape == [4, 6, 2])
        #expect(model.quantizedParameter(named: "model.layers.0.mlp.experts.down_proj")?.scales.shape == [4, 2, 3])
        #expect(model["model.layers.0.mlp.gate.weight"]?.dtype == .bf16 && model["lm_head.weight"]?.dtype == .bf16)
    }

    /// AWQ replaces every decoder Linear (lm_head is a default skip) with qweight/qzeros/scales;
    /// the view exposes them with the group size and the Linear's logical `[out, in]`.
    @Test func awqTypedView() throws {
        let model = try load(pretrained: Fixtures.path("quantized/awq-llama-4bit"))
        #expect(model.quantizedParameters.count == 14)
        #expect(model["lm_head.weight"]?.dtype == .f16 && model["model.layers.0.mlp.up_proj.weight"] == nil)
        let view = try #require(model.quantizedParameter(named: "model.layers.0.mlp.up_proj.weight"))
        #expect(view.format == .awq(groupSize: 16, bits: 4) && view.groupSize == 16 && view.blockSize == [16, 1])
        #expect(view.logicalShape == [64, 32] && view.logicalDType == .f16)
        #expect(view.data.name == "model.layers.0.mlp.up_proj.qweight" && view.data.dtype == .i32 && view.data.shape == [32, 8])
        #expect(view.zeros?.name == "model.layers.0.mlp.up_proj.qzeros" && view.zeros?.shape == [2, 8])
        #expect(view.scales.name == "model.layers.0.mlp.up_proj.scales" && view.scales.dtype == .f16 && view.scales.shape == [2, 64])
        #expect(view.biases == nil && view.groupIndices == nil)
    }

    /// AWQ's interleaved order, on one hand-packed word: outputs 0...7 hold 1...8, so the
    /// fields (low first) read 1, 3, 5, 7, 2, 4, 6, 8 (0x86427531); zero 0, scale 1.
    @Test func awqUnpacksTheInterleavedOrder() throws {
        let qweight = try Tensor(name: "m.qweight", dtype: .i32, shape: [1, 1], bytes: [0x31, 0x75, 0x42, 0x86])
        let qzeros = try Tensor(name: "m.qzeros", dtype: .i32, shape: [1, 1], bytes: [0, 0, 0, 0])
        let scales = try Tensor(name: "m.scales", dtype: .f32, shape: [1, 8], bytes: Array(repeating: [0, 0, 0x80, 0x3F], count: 8).flatMap { $0 })
        let parameter = QuantizedParameter(name: "m.weight", format: .awq(groupSize: -1, bits: 4), data: qweight, scales: scales,
                                           biases: nil, zeros: qzeros, logicalShape: [8, 1], logicalDType: .f32)
        let tensor = try Dequantize.dequantize(parameter, file: "model.safetensors")
        #expect(try tensor.floats() == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    /// The MXFP4 kernel's tiled transpose over several (and a partial) 64-output tiles equals the
    /// formula element by element: `out[e, i, o] = lut[nibble(blocks[e, o, i / 32, i % 32 / 2])] * 2^(scale - 127)`.
    @Test func mxfp4TilesEqualTheFormula() throws {
        let (experts, inputs, outputs) = (2, 64, 160)
        var generator = SystemRandomNumberGenerator()
        let blockBytes = (0..<(experts * outputs * inputs / 2)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let scaleBytes = (0..<(experts * outputs * inputs / 32)).map { _ in UInt8.random(in: 120...134, using: &generator) }
        let parameter = QuantizedParameter(
            name: "m.gate_up_proj", format: .mxfp4,
            data: try Tensor(name: "m.gate_up_proj_blocks", dtype: .u8, shape: [experts, outputs, inputs / 32, 16], bytes: blockBytes),
            scales: try Tensor(name: "m.gate_up_proj_scales", dtype: .u8, shape: [experts, outputs, inputs / 32], bytes: scaleBytes),
            biases: nil, logicalShape: [experts, inputs, outputs], logicalDType: .f32)
        let values = try Dequantize.dequantize(parameter, file: "model.safetensors").floats()
        let lut: [Float] = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6]
        var mismatches = 0
        for e in 0..<experts {
            for i in 0..<inputs {
                for o in 0..<outputs {
                    let byte = blockBytes[((e * outputs + o) * inputs + i) / 2]
                    let nibble = i % 2 == 0 ? byte & 0xF : byte >> 4
                    let scale = Float(scaleBytes[(e * outputs + o) * (inputs / 32) + i / 32]) - 127
                    let expected = lut[Int(nibble)] * Float(pow(2.0, Double(scale)))
                    mismatches += values[(e * inputs + i) * outputs + o].bitPattern == expected.bitPattern ? 0 : 1
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func mxfp4ExpertsAreTheOnlyQuantizedParameters() throws {
        let model = try load(pretrained: Fixtures.path("quantized/mxfp4-gpt-oss"))
        #expect(model.quantizedParameters.map(\.name) == ["model.layers.0.mlp.experts.gate_up_proj", "model.layers.0.mlp.experts.down_proj",
                                                          "model.layers.1.mlp.experts.gate_up_proj", "model.layers.1.mlp.experts.down_proj"])
        let view = try #require(model.quantizedParameter(named: "model.layers.1.mlp.experts.gate_up_proj"))
        #expect(view.format == .mxfp4 && view.blockSize == [1, 32] && view.biases == nil)
        #expect(view.logicalShape == [4, 32, 64] && view.logicalDType == .bf16)
        #expect(view.data.dtype == .u8 && view.data.shape == [4, 64, 1, 16])
        #expect(view.scales.dtype == .u8 && view.scales.shape == [4, 64, 1])
        #expect(model["model.layers.1.mlp.experts.gate_up_proj_bias"]?.dtype == .bf16)
    }

    @Test(arguments: ["mlx-llama-3bit", "mlx-llama-4bit", "mlx-llama-6bit", "mlx-llama-8bit"])
    func mlxTiedEmbeddingSharesOneStorageInBothModes(fixture: String) throws {
        let packed = try load(pretrained: Fixtures.path("quantized/\(fixture)"))
        for suffix in ["weight", "scales", "biases"] {
            let head = try #require(packed["lm_head.\(suffix)"])
            let embedding = try #require(packed["model.embed_tokens.\(suffix)"])
            #expect(head.sharesStorage(with: embedding), "\(suffix)")
        }
        let view = try #require(packed.quantizedParameter(named: "model.embed_tokens.weight"))
        let bits = Int(fixture.dropFirst("mlx-llama-".count).prefix(1)) ?? 0
        #expect(view.format == .mlxAffine(groupSize: 32, bits: bits))
        #expect(view.data.shape == [64, 32 * bits / 32] && view.scales.shape == [64, 1] && view.biases?.shape == [64, 1])
        var options = LoadOptions()
        options.dequantize = true
        let plain = try load(pretrained: Fixtures.path("quantized/\(fixture)"), options: options)
        let head = try #require(plain["lm_head.weight"])
        #expect(head.dtype == .bf16 && head.shape == [64, 32])
        #expect(head.sharesStorage(with: try #require(plain["model.embed_tokens.weight"])))
        #expect(plain.tiedWeights.map(\.target) == ["lm_head.weight"])
    }
}
