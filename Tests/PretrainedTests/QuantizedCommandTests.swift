import Foundation
import Testing
@testable import Pretrained

/// `pretrained load DIR [--dequantize] --json --checksums` over the quantized fixtures equals the
/// reference: every stored tensor as stored (packed), every parameter as the reference tool
/// dequantizes it (`--dequantize`).
@Suite struct QuantizedCommandTests {
    @Test(arguments: QuantizedConformanceTests.fixtures, [false, true])
    func loadJSONEqualsTheReference(fixture: String, dequantize: Bool) throws {
        let path = Fixtures.path("quantized/\(fixture)")
        let result = try CommandResult.run(["load", path, "--json", "--checksums"] + (dequantize ? ["--dequantize"] : []))
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONParser.parse(Array(result.stdout.utf8))
        let parameters = json["parameters"]?.arrayValue ?? []
        let expected = try dequantize ? QuantizedConformanceTests.entries(fixture, "dequantized")
            : QuantizedConformanceTests.packedEntries(fixture)
        let byName = Dictionary(parameters.compactMap { p in p["name"]?.stringValue.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        // Beyond the stored tensors, only tied names (an MLX tied head's weight, scales, biases), sharing a storage.
        let extra = Set(byName.keys).subtracting(expected.map(\.name))
        #expect(extra.allSatisfy { byName[$0]?["storage"]?.stringValue != $0 }, "\(extra.sorted())")
        #expect(parameters.count == expected.count + extra.count)
        #expect(extra.isEmpty || (!dequantize && fixture.hasPrefix("mlx") && extra.count == 3))
        for entry in expected {
            let parameter = try #require(byName[entry.name], "\(entry.name)")
            #expect(parameter["dtype"]?.stringValue == entry.dtype, "\(entry.name)")
            #expect((parameter["shape"]?.arrayValue ?? []).compactMap(\.intValue) == entry.shape, "\(entry.name)")
            #expect(parameter["sha256"]?.stringValue == entry.sha, "\(entry.name)")
        }
    }

    /// `inspect --model` on a quantized config counts the packed bytes: those of the stored tensors.
    @Test(arguments: ["fp8-llama", "fp8-qwen3-moe", "mxfp4-gpt-oss", "gptq-llama-4bit", "awq-llama-4bit", "mlx-llama-4bit", "mlx-llama-8bit"])
    func inspectModelCountsQuantizedBytes(fixture: String) throws {
        let path = Fixtures.path("quantized/\(fixture)")
        let file = try SafetensorsFile(path: path + "/model.safetensors")
        let stored = file.header.tensors.reduce(0) { $0 + $1.byteCount }
        let result = try CommandResult.run(["inspect", "--model", path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(json["parameter_bytes"]?.intValue == stored)
    }

    @Test func aHostileQuantizationIsOneErrorLine() throws {
        let folder = try QuantizedHostileTests.variant("mlx-llama-4bit", config: {
            $0.replacingOccurrences(of: "\"bits\": 4", with: "\"bits\": 7")
        })
        let result = try CommandResult.run(["load", folder.path, "--dequantize"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("config.json: quantization: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
