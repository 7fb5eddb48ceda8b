import Testing

@testable import Pretrained

/// Rank and size from the launchers' environments or explicit values, torch's chunking, the
/// plan lookup, and the errors for inconsistent values.
@Suite struct TensorParallelRankTests {
    @Test func launchersEnvironments() throws {
        #expect(try TensorParallelRank.fromEnvironment([:]) == nil)
        let ompi = try TensorParallelRank.fromEnvironment(["OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "4"])
        #expect(ompi == (try TensorParallelRank(rank: 3, size: 4)))
        let pmi = try TensorParallelRank.fromEnvironment(["PMI_RANK": "1", "PMI_SIZE": "2"])
        #expect(pmi == (try TensorParallelRank(rank: 1, size: 2)))
        let torchrun = try TensorParallelRank.fromEnvironment(["RANK": "2", "WORLD_SIZE": "3", "LOCAL_RANK": "2"])
        #expect(torchrun == (try TensorParallelRank(rank: 2, size: 3)))
        // Launchers that agree (Slurm's PMI under Open MPI) are fine.
        let both = try TensorParallelRank.fromEnvironment(["OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2",
                                                           "PMI_RANK": "1", "PMI_SIZE": "2"])
        #expect(both?.rank == 1)
    }

    @Test(arguments: [
        ["OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "2", "RANK": "1", "WORLD_SIZE": "2"],
        ["RANK": "1"],
        ["WORLD_SIZE": "2"],
        ["RANK": "x", "WORLD_SIZE": "2"],
        ["RANK": "-1", "WORLD_SIZE": "2"],
        ["RANK": "2", "WORLD_SIZE": "2"],
        ["PMI_RANK": "0", "PMI_SIZE": "0"],
        ["RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "1"],
    ])
    func inconsistentEnvironmentsAreErrors(environment: [String: String]) {
        #expect {
            _ = try TensorParallelRank.fromEnvironment(environment)
        } throws: { error in
            guard case .invalidTensorParallel(let reason)? = error as? PretrainedError else { return false }
            return !reason.isEmpty
        }
    }

    @Test func explicitValuesWin() throws {
        let environment = ["RANK": "1", "WORLD_SIZE": "4"]
        #expect(try TensorParallelRank.resolve(rank: nil, size: nil, environment: environment)?.rank == 1)
        #expect(try TensorParallelRank.resolve(rank: 0, size: 2, environment: environment) == (try TensorParallelRank(rank: 0, size: 2)))
        #expect(try TensorParallelRank.resolve(rank: 3, size: nil, environment: environment)?.size == 4)
        #expect(try TensorParallelRank.resolve(rank: nil, size: 8, environment: environment)?.rank == 1)
        #expect(try TensorParallelRank.resolve(rank: nil, size: nil, environment: [:]) == nil)
        #expect(try TensorParallelRank.resolve(rank: nil, size: 1, environment: [:])?.rank == 0)
        #expect(throws: PretrainedError.self) { try TensorParallelRank.resolve(rank: nil, size: 2, environment: [:]) }
        #expect(throws: PretrainedError.self) { try TensorParallelRank.resolve(rank: 1, size: nil, environment: [:]) }
        #expect(throws: PretrainedError.self) { try TensorParallelRank.resolve(rank: 2, size: 2, environment: [:]) }
        #expect(throws: PretrainedError.self) { try TensorParallelRank(rank: 0, size: 0) }
    }

    /// `torch.chunk`: chunks of ⌈n / size⌉, the last ranks shorter or empty.
    @Test func chunksAsTorch() {
        let chunks = { (n: Int, size: Int) in (0..<size).map { TensorParallelSlicing.chunk(n, rank: $0, size: size).length } }
        #expect(chunks(64, 4) == [16, 16, 16, 16])
        #expect(chunks(67, 4) == [17, 17, 17, 16])
        #expect(chunks(45, 4) == [12, 12, 12, 9])
        #expect(chunks(5, 4) == [2, 2, 1, 0])
        #expect(chunks(6, 4) == [2, 2, 2, 0])
        #expect(chunks(1, 3) == [1, 0, 0])
        #expect(TensorParallelSlicing.chunk(6, rank: 3, size: 4).start == 6)
    }

    /// `replace_layer_number_by_wildcard` and `_get_parameter_plan`.
    @Test func planLookup() {
        #expect(TensorParallelSlicing.wildcard("model.layers.12.mlp.w1.weight") == "model.layers.*.mlp.w1.weight")
        #expect(TensorParallelSlicing.wildcard("layers.0.1.x") == "layers.*.1.x")
        #expect(TensorParallelSlicing.wildcard("h.3") == "h.*")
        #expect(TensorParallelSlicing.wildcard("0.weight") == "0.weight")
        let plan = ["model.layers.*.self_attn.o_proj": "rowwise", "lm_head.weight": "colwise"]
        #expect(TensorParallelSlicing.style(of: "model.layers.4.self_attn.o_proj.bias", plan: plan) == "rowwise")
        #expect(TensorParallelSlicing.style(of: "lm_head.weight", plan: plan) == "colwise")
        #expect(TensorParallelSlicing.style(of: "model.layers.4.self_attn.o_proj.inner.weight", plan: plan) == nil)
    }

    @Test func stylesShardAsTransformers() throws {
        let weight = TensorSlot(name: "a.weight", shape: [8, 4], dtype: .f32)
        let bias = TensorSlot(name: "a.bias", shape: [8], dtype: .f32)
        let experts = TensorSlot(name: "experts.down_proj", shape: [2, 8, 4], dtype: .f32)
        #expect(try TensorParallelSlicing.shardDimension(style: "colwise", slot: weight) == 0)
        #expect(try TensorParallelSlicing.shardDimension(style: "colwise", slot: bias) == 0)
        #expect(try TensorParallelSlicing.shardDimension(style: "colwise", slot: experts) == 1)
        #expect(try TensorParallelSlicing.shardDimension(style: "colwise_gather_output", slot: weight) == 0)
        #expect(try TensorParallelSlicing.shardDimension(style: "rowwise", slot: weight) == 1)
        #expect(try TensorParallelSlicing.shardDimension(style: "rowwise", slot: bias) == nil)
        #expect(try TensorParallelSlicing.shardDimension(style: "rowwise_split_input", slot: experts) == 2)
        #expect(try TensorParallelSlicing.shardDimension(style: "embedding_rowwise", slot: weight) == 0)
        #expect(try TensorParallelSlicing.shardDimension(style: "embedding_colwise", slot: weight) == 1)
        #expect(try TensorParallelSlicing.shardDimension(style: "packed_colwise", slot: bias) == 0)
        #expect(try TensorParallelSlicing.shardDimension(style: "packed_rowwise", slot: bias) == nil)
        #expect(try TensorParallelSlicing.shardDimension(style: "replicated_with_grad_allreduce", slot: weight) == nil)
        #expect(try TensorParallelSlicing.shardDimension(style: "moe_tp_experts", slot: experts) == nil)
        #expect(try TensorParallelSlicing.shardDimension(style: "packed_colwise", slot: experts) == 1)
        #expect(try TensorParallelSlicing.shardDimension(style: "packed_rowwise", slot: experts) == 2)
        #expect(TensorParallelSlicing.packedParts(style: "packed_colwise", slot: experts) == 2)
        #expect(TensorParallelSlicing.packedParts(style: "packed_colwise", slot: bias) == 1)
        #expect(TensorParallelSlicing.packedParts(style: "colwise", slot: experts) == 1)
        #expect(throws: PretrainedError.self) { try TensorParallelSlicing.shardDimension(style: "sideways", slot: weight) }
    }
}
