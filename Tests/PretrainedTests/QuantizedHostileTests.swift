import Foundation
import Testing
@testable import Pretrained

/// Malformed pre-quantized checkpoints end in one typed error naming the file, the tensor and the
/// reason (or, in the packed mode, in an exact report), never in a trap or wrong values.
@Suite struct QuantizedHostileTests {
    /// A copy of fixture `name` with `edit` applied to its stored tensors and `config` to its config text.
    static func variant(_ name: String, tensors edit: (inout [Tensor]) throws -> Void = { _ in },
                        config: (String) -> String = { $0 }) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        let source = Fixtures.path("quantized/\(name)")
        let file = try SafetensorsFile(path: source + "/model.safetensors")
        var tensors = try file.header.tensors.map { try file.tensor(named: $0.name) }
        try edit(&tensors)
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: folder.file("model.safetensors"))
        let text = try String(contentsOfFile: source + "/config.json", encoding: .utf8)
        try folder.write("config.json", text: config(text))
        return folder
    }

    static var dequantizing: LoadOptions {
        var options = LoadOptions()
        options.dequantize = true
        return options
    }

    func error(_ body: () throws -> Void) -> PretrainedError? {
        do { try body() } catch let error as PretrainedError { return error } catch { return nil }
        return nil
    }

    @Test func aScaleOfTheWrongShapeNamesTheFileAndTensor() throws {
        let folder = try Self.variant("fp8-llama") { tensors in
            let index = try #require(tensors.firstIndex { $0.name == "model.layers.0.mlp.up_proj.weight_scale_inv" })
            tensors[index] = try Tensor(name: tensors[index].name, dtype: .f32, shape: [2, 2], bytes: [UInt8](repeating: 0, count: 16))
        }
        for options in [LoadOptions(), Self.dequantizing] {
            let thrown = error { _ = try load(pretrained: folder.path, options: options) }
            guard case .shapeMismatch(let file, let tensor, let stored, let expected)? = thrown else {
                Issue.record("expected a shape mismatch, got \(String(describing: thrown))")
                continue
            }
            #expect(file.hasSuffix("model.safetensors"))
            #expect(tensor == "model.layers.0.mlp.up_proj.weight_scale_inv")
            #expect(stored == [2, 2] && expected == [4, 2])
            #expect(!String(describing: thrown!).contains("\n"))
        }
    }

    @Test func anMXFP4ScaleOfTheWrongShapeIsNamed() throws {
        let name = "model.layers.0.mlp.experts.down_proj_scales"
        let folder = try Self.variant("mxfp4-gpt-oss") { tensors in
            let index = try #require(tensors.firstIndex { $0.name == name })
            tensors[index] = try Tensor(name: name, dtype: .u8, shape: [4, 16, 2], bytes: [UInt8](repeating: 127, count: 128))
        }
        let thrown = error { _ = try load(pretrained: folder.path, options: Self.dequantizing) }
        guard case .shapeMismatch(_, let tensor, [4, 16, 2], [4, 32, 1])? = thrown else {
            Issue.record("expected a shape mismatch, got \(String(describing: thrown))")
            return
        }
        #expect(tensor == name)
    }

    @Test(arguments: ["fp8-llama:model.layers.1.self_attn.o_proj.weight_scale_inv",
                      "mxfp4-gpt-oss:model.layers.1.mlp.experts.gate_up_proj_blocks",
                      "gptq-llama-4bit:model.layers.0.self_attn.q_proj.g_idx",
                      "awq-llama-4bit:model.layers.1.mlp.gate_proj.scales",
                      "awq-llama-4bit:model.layers.0.self_attn.k_proj.qzeros",
                      "mlx-llama-4bit:model.layers.0.mlp.down_proj.biases"])
    func aMissingCompanionIsMissingPackedAndAnErrorDequantized(case text: String) throws {
        let parts = text.split(separator: ":").map(String.init)
        let folder = try Self.variant(parts[0]) { tensors in tensors.removeAll { $0.name == parts[1] } }
        let packed = try load(pretrained: folder.path)
        #expect(packed.report.missing == [parts[1]])
        #expect(packed.report.unexpected.isEmpty)
        let thrown = error { _ = try load(pretrained: folder.path, options: Self.dequantizing) }
        guard case .invalidQuantizedTensor(let file, let tensor, let reason)? = thrown else {
            Issue.record("expected invalidQuantizedTensor, got \(String(describing: thrown))")
            return
        }
        #expect(file == folder.file("model.safetensors"))
        #expect(tensor == parts[1])
        #expect(reason.contains("missing"))
    }

    @Test(arguments: [
        ("\"bits\": 4", "\"bits\": 7", "bits 7 is not one of 2, 3, 4, 5, 6, 8"),
        ("\"group_size\": 32", "\"group_size\": 0", "group_size 0 must be positive"),
        ("\"mode\": \"affine\"", "\"mode\": \"mxfp4\"", "mode 'mxfp4' is not supported"),
    ])
    func anUnusableMLXConfigIsATypedError(find: String, replace: String, reason: String) throws {
        try expectConfigRefused("mlx-llama-4bit", find: find, replace: replace, reason: reason)
    }

    /// Loads `fixture` with `find` replaced by `replace` in its config and expects
    /// `invalidQuantization` naming config.json with `reason` in its message.
    func expectConfigRefused(_ fixture: String, find: String, replace: String, reason: String) throws {
        let folder = try Self.variant(fixture, config: { $0.replacingOccurrences(of: find, with: replace) })
        #expect(try String(contentsOfFile: folder.file("config.json"), encoding: .utf8).contains(replace))
        let thrown = error { _ = try load(pretrained: folder.path) }
        guard case .invalidQuantization(let file, let message)? = thrown else {
            Issue.record("expected invalidQuantization, got \(String(describing: thrown))")
            return
        }
        #expect(file.hasSuffix("config.json"))
        #expect(message.contains(reason), "\(message)")
    }

    @Test func anUnknownQuantMethodIsNamed() throws {
        let folder = try Self.variant("fp8-llama", config: {
            $0.replacingOccurrences(of: "\"quant_method\": \"fp8\"", with: "\"quant_method\": \"bitsandbytes-9\"")
        })
        let thrown = error { _ = try load(pretrained: folder.path) }
        #expect(String(describing: thrown.map { "\($0)" } ?? "").contains("quant_method 'bitsandbytes-9' is not supported"))
    }

    /// A group size that does not divide the weight leaves the module unquantized (as mlx_lm's
    /// predicate does), so its packed U32 weight no longer fits the slot: a typed error naming the shard and the tensor.
    @Test func packedSizesThatDoNotDivideAreRejected() throws {
        let folder = try Self.variant("mlx-llama-4bit", config: { $0.replacingOccurrences(of: "\"group_size\": 32", with: "\"group_size\": 64") })
        let thrown = error { _ = try load(pretrained: folder.path) }
        switch thrown {
        case .unsupportedConversion(let file, let tensor, .u32, _)?, .shapeMismatch(let file, let tensor, _, _)?:
            #expect(file.hasSuffix("model.safetensors"))
            #expect(tensor == "model.embed_tokens.weight")
        default:
            Issue.record("expected a typed conversion or shape error, got \(String(describing: thrown))")
        }
    }

    /// Packed data whose shape does not fit the format fails the kernel's checks, naming the tensor.
    @Test func theKernelChecksThePackedShape() throws {
        let data = try Tensor(name: "w", dtype: .u32, shape: [2, 3], bytes: [UInt8](repeating: 0, count: 24))
        let scales = try Tensor(name: "s", dtype: .bf16, shape: [2, 1], bytes: [UInt8](repeating: 0, count: 4))
        let parameter = QuantizedParameter(name: "m.weight", format: .mlxAffine(groupSize: 32, bits: 4), data: data,
                                           scales: scales, biases: scales, logicalShape: [2, 32], logicalDType: .bf16)
        let thrown = error { _ = try Dequantize.dequantize(parameter, file: "model.safetensors") }
        #expect(thrown.map { "\($0)" } == "model.safetensors: quantized tensor 'w' is U32 [2, 3], expected U32 [2, 4] "
            + "for 32 columns at 4 bits")
    }

    /// FP8 scale grids that do not divide the weight (transformers raises there) are a typed error.
    @Test func anFP8ScaleGridThatDoesNotDivideTheWeightIsRejected() throws {
        let data = try Tensor(name: "m.weight", dtype: .f8e4m3, shape: [40, 16], bytes: [UInt8](repeating: 0x38, count: 640))
        let scales = try Tensor(name: "m.weight_scale_inv", dtype: .f32, shape: [3, 1], bytes: [UInt8](repeating: 0, count: 12))
        let parameter = QuantizedParameter(name: "m.weight", format: .fp8Block(rows: 16, columns: 16), data: data,
                                           scales: scales, biases: nil, logicalShape: [40, 16], logicalDType: .bf16)
        let thrown = error { _ = try Dequantize.dequantize(parameter, file: "model.safetensors") }
        #expect(thrown.map { "\($0)" } == "model.safetensors: quantized tensor 'm.weight_scale_inv' has shape [3, 1], which "
            + "does not divide the weight's [40, 16] into whole blocks")
    }

    /// A GPTQ group index outside the scales is a typed error, not an out-of-bounds read.
    @Test func aGPTQGroupIndexOutOfRangeIsRejected() throws {
        let name = "model.layers.0.self_attn.q_proj.g_idx"
        let folder = try Self.variant("gptq-llama-4bit") { tensors in
            let index = try #require(tensors.firstIndex { $0.name == name })
            tensors[index] = try Tensor(name: name, dtype: .i32, shape: [32], bytes: [UInt8](repeating: 0x7F, count: 128))
        }
        let thrown = error { _ = try load(pretrained: folder.path, options: Self.dequantizing) }
        guard case .invalidQuantizedTensor(let file, let tensor, let reason)? = thrown else {
            Issue.record("expected invalidQuantizedTensor, got \(String(describing: thrown))")
            return
        }
        #expect(file == folder.file("model.safetensors") && tensor == name && reason.contains("group index"))
    }

    @Test func gptqBitsAreChecked() throws {
        let folder = try Self.variant("gptq-llama-4bit", config: { $0.replacingOccurrences(of: "\"bits\": 4", with: "\"bits\": 3") })
        let thrown = error { _ = try load(pretrained: folder.path) }
        #expect(thrown.map { "\($0)" }?.hasSuffix("config.json: quantization: gptq bits must be 2, 4 or 8") == true)
    }

    /// GPTQ `group_size: -1` is one group over all inputs; 0 is an error.
    @Test func gptqGroupSizeMinusOneIsOneGroup() throws {
        let json = try JSONParser.parse(Array(#"{"quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": -1}}"#.utf8))
        let scheme = try #require(try QuantizationScheme.detect(config: json, file: "config.json"))
        #expect(scheme.format == .gptq(groupSize: -1, bits: 4, zeroOffset: 1))
        let layout = try QuantizedLayout(module: "m", format: scheme.format, logicalShape: [16, 64], logicalDType: .f16,
                                         storedDType: { _ in nil }, file: "config.json")
        #expect(layout.parts.map(\.shape) == [[8, 16], [1, 2], [1, 16], [64]])
        let zero = try JSONParser.parse(Array(#"{"quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 0}}"#.utf8))
        #expect(throws: PretrainedError.self) { _ = try QuantizationScheme.detect(config: zero, file: "config.json") }
    }

    /// One expert's FP8 scale of the wrong shape is named (the per-expert tensor) with both shapes, in both modes.
    @Test func anFP8ExpertScaleOfTheWrongShapeIsNamed() throws {
        let name = "model.layers.1.mlp.experts.2.up_proj.weight_scale_inv"
        let folder = try Self.variant("fp8-qwen3-moe") { tensors in
            let index = try #require(tensors.firstIndex { $0.name == name })
            tensors[index] = try Tensor(name: name, dtype: .f32, shape: [2, 2], bytes: [UInt8](repeating: 0, count: 16))
        }
        for options in [LoadOptions(), Self.dequantizing] {
            let thrown = error { _ = try load(pretrained: folder.path, options: options) }
            guard case .shapeMismatch(let file, let tensor, [2, 2], let expected)? = thrown else {
                Issue.record("expected a shape mismatch, got \(String(describing: thrown))")
                continue
            }
            #expect(file == folder.file("model.safetensors") && tensor == name && expected == [3, 2])
        }
    }

    /// One expert's missing FP8 scale leaves the fused scale incomplete: missing when packed, a typed
    /// error naming the fused scale when dequantized (never zeros taken for scales).
    @Test func aMissingFP8ExpertScaleIsReported() throws {
        let name = "model.layers.0.mlp.experts.3.down_proj.weight_scale_inv"
        let folder = try Self.variant("fp8-qwen3-moe") { tensors in tensors.removeAll { $0.name == name } }
        let packed = try load(pretrained: folder.path)
        #expect(packed.report.missing == ["model.layers.0.mlp.experts.down_proj_scale_inv"])
        #expect(packed.report.unexpected.isEmpty && packed.report.mismatched.isEmpty)
        let thrown = error { _ = try load(pretrained: folder.path, options: Self.dequantizing) }
        guard case .invalidQuantizedTensor(let file, let tensor, let reason)? = thrown else {
            Issue.record("expected invalidQuantizedTensor, got \(String(describing: thrown))")
            return
        }
        #expect(file == folder.file("model.safetensors"))
        #expect(tensor == "model.layers.0.mlp.experts.down_proj_scale_inv" && reason.contains("missing"))
    }

    /// An AWQ scale of the wrong shape is named with the shard and both shapes, in both modes.
    @Test func anAWQScaleOfTheWrongShapeIsNamed() throws {
        let name = "model.layers.0.mlp.down_proj.scales"
        let folder = try Self.variant("awq-llama-4bit") { tensors in
            let index = try #require(tensors.firstIndex { $0.name == name })
            tensors[index] = try Tensor(name: name, dtype: .f16, shape: [2, 32], bytes: [UInt8](repeating: 0, count: 128))
        }
        for options in [LoadOptions(), Self.dequantizing] {
            let thrown = error { _ = try load(pretrained: folder.path, options: options) }
            guard case .shapeMismatch(let file, let tensor, [2, 32], [4, 32])? = thrown else {
                Issue.record("expected a shape mismatch, got \(String(describing: thrown))")
                continue
            }
            #expect(file == folder.file("model.safetensors") && tensor == name)
        }
    }

    /// The AWQ kernel checks its parts itself (a view built by hand, not by the loader).
    @Test func theAWQKernelChecksItsParts() throws {
        let qweight = try Tensor(name: "m.qweight", dtype: .i32, shape: [32, 2], bytes: [UInt8](repeating: 0, count: 256))
        let qzeros = try Tensor(name: "m.qzeros", dtype: .i32, shape: [2, 2], bytes: [UInt8](repeating: 0, count: 16))
        let scales = try Tensor(name: "m.scales", dtype: .f16, shape: [2, 8], bytes: [UInt8](repeating: 0, count: 32))
        func parameter(_ scales: Tensor, zeros: Tensor?) -> QuantizedParameter {
            QuantizedParameter(name: "m.weight", format: .awq(groupSize: 16, bits: 4), data: qweight, scales: scales, biases: nil,
                               zeros: zeros, logicalShape: [16, 32], logicalDType: .f16)
        }
        let badScale = error { _ = try Dequantize.dequantize(parameter(scales, zeros: qzeros), file: "model.safetensors") }
        #expect(badScale.map { "\($0)" } == "model.safetensors: quantized tensor 'm.scales' has shape [2, 8], expected [2, 16] "
            + "(groups of 16 inputs)")
        let noZeros = error { _ = try Dequantize.dequantize(parameter(scales, zeros: nil), file: "model.safetensors") }
        guard case .invalidQuantizedTensor("model.safetensors", "m.weight", let reason)? = noZeros else {
            Issue.record("expected invalidQuantizedTensor, got \(String(describing: noZeros))")
            return
        }
        #expect(reason == "has no qzeros")
        let wrongWords = QuantizedParameter(name: "m.weight", format: .awq(groupSize: 16, bits: 4), data: qzeros, scales: scales,
                                            biases: nil, zeros: qzeros, logicalShape: [16, 32], logicalDType: .f16)
        let thrown = error { _ = try Dequantize.dequantize(wrongWords, file: "model.safetensors") }
        #expect(thrown.map { "\($0)" } == "model.safetensors: quantized tensor 'm.qzeros' is I32 [2, 2], expected I32 [32, 2]")
    }

    @Test(arguments: [
        ("\"bits\": 4", "\"bits\": 7", "awq bits 7 is not supported (only 4)"),
        ("\"bits\": 4", "\"bits\": \"four\"", "awq bits 0 is not supported (only 4)"),
        ("\"group_size\": 16", "\"group_size\": 0", "awq group_size 0 must be positive or -1"),
        ("\"version\": \"gemm\"", "\"version\": \"GEMV\"", "awq version 'gemv' is not supported (only 'gemm'"),
        ("\"zero_point\": true", "\"zero_point\": false", "awq without zero_point is not supported"),
        ("\"group_size\": 16", "\"group_size\": 48", "inputs into groups of 48"),
    ])
    func anUnusableAWQConfigIsATypedError(find: String, replace: String, reason: String) throws {
        try expectConfigRefused("awq-llama-4bit", find: find, replace: replace, reason: reason)
    }

    /// AWQ defaults as `AwqConfig`: bits 4, group size 128, version gemm; `format` is read when
    /// `version` is absent; -1 is one group.
    @Test func awqDefaults() throws {
        let json = try JSONParser.parse(Array(#"{"quantization_config": {"quant_method": "awq"}}"#.utf8))
        #expect(try QuantizationScheme.detect(config: json, file: "config.json")?.format == .awq(groupSize: 128, bits: 4))
        let gemv = try JSONParser.parse(Array(#"{"quantization_config": {"quant_method": "awq", "format": "gemv"}}"#.utf8))
        #expect(throws: PretrainedError.self) { _ = try QuantizationScheme.detect(config: gemv, file: "config.json") }
        let layout = try QuantizedLayout(module: "m", format: .awq(groupSize: -1, bits: 4), logicalShape: [16, 64],
                                         logicalDType: .f16, storedDType: { _ in nil }, file: "config.json")
        #expect(layout.parts.map(\.name) == ["m.qweight", "m.qzeros", "m.scales"])
        #expect(layout.parts.map(\.shape) == [[64, 2], [1, 2], [1, 16]])
    }

    /// Every E4M3FN byte widens as PyTorch's float8_e4m3fn does (spot values; NaN for 0x7F/0xFF).
    @Test func fp8E4M3Decoding() {
        #expect(Dequantize.fp8E4M3(0x00) == 0 && Dequantize.fp8E4M3(0x80).sign == .minus)
        #expect(Dequantize.fp8E4M3(0x7E) == 448 && Dequantize.fp8E4M3(0xFE) == -448)
        #expect(Dequantize.fp8E4M3(0x01) == 0x1p-9 && Dequantize.fp8E4M3(0x38) == 1)
        #expect(Dequantize.fp8E4M3(0x7F).isNaN && Dequantize.fp8E4M3(0xFF).isNaN)
    }
}
