import Testing
@testable import Pretrained

/// Tensor-parallel slicing of packed quantized tensors is not implemented: a rank's load of a
/// pre-quantized checkpoint is refused with a typed error instead of slicing packed bytes wrongly.
@Suite struct QuantizedTensorParallelTests {
    @Test(arguments: ["quantized/fp8-llama", "quantized/mlx-llama-4bit"])
    func aQuantizedCheckpointIsRefusedPerRank(fixture: String) throws {
        var options = LoadOptions()
        options.tensorParallel = try TensorParallelRank(rank: 0, size: 2)
        #expect {
            try load(pretrained: Fixtures.path(fixture), options: options)
        } throws: { error in
            guard case .invalidTensorParallel(let reason) = error as? PretrainedError else { return false }
            return reason.contains("pre-quantized")
        }
        options.tensorParallel = try TensorParallelRank(rank: 0, size: 1)   // one rank: the whole model
        #expect(try load(pretrained: Fixtures.path(fixture), options: options).report.missing.isEmpty)
    }
}
