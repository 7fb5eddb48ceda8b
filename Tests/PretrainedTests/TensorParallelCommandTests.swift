import Foundation
import Testing

@testable import Pretrained

/// `pretrained load --tp-size N --tp-rank R --json` and the launcher's environment, end to end.
@Suite struct TensorParallelCommandTests {
    static let fixture = "tp/LlamaForCausalLM-uneven-bf16-tp2.json"

    func check(_ result: CommandResult, rank: Int, size: Int) throws {
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(json["tp"]?["rank"]?.intValue == rank)
        #expect(json["tp"]?["size"]?.intValue == size)
        let expected = try Fixtures.json(Self.fixture)["ranks"]?.arrayValue?[rank]["parameters"]?.arrayValue ?? []
        let parameters = json["parameters"]?.arrayValue ?? []
        #expect(parameters.count == expected.count)
        for (got, want) in zip(parameters, expected) {
            #expect(got["name"] == want["name"])
            #expect(got["shape"] == want["shape"])
            #expect(got["sha256"] == want["sha256"])
            #expect(got["storage"] == want["storage"])
        }
        let embed = try #require(parameters.first { $0["name"]?.stringValue == "model.embed_tokens.weight" })
        #expect(embed["slice"]?["dim"]?.intValue == 0)
        #expect(embed["slice"]?["start"]?.intValue == (rank == 0 ? 0 : 34))
        #expect(embed["slice"]?["length"]?.intValue == (rank == 0 ? 34 : 33))
        let down = try #require(parameters.first { $0["name"]?.stringValue == "model.layers.1.mlp.down_proj.weight" })
        #expect(down["slice"]?["dim"]?.intValue == 1)
        let norm = try #require(parameters.first { $0["name"]?.stringValue == "model.norm.weight" })
        #expect(norm["slice"] == nil)
    }

    var path: String { Fixtures.path("tp/models/LlamaForCausalLM-uneven-bf16") }

    @Test(arguments: [0, 1])
    func explicitFlags(rank: Int) throws {
        try check(try CommandResult.run(["load", path, "--tp-size", "2", "--tp-rank", "\(rank)", "--json", "--checksums"]),
                  rank: rank, size: 2)
    }

    @Test func launchersEnvironment() throws {
        try check(try CommandResult.run(["load", path, "--json", "--checksums", "--pread"],
                                        environment: ["OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2"]),
                  rank: 1, size: 2)
        try check(try CommandResult.run(["load", path, "--json", "--checksums", "--copy"],
                                        environment: ["RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "0"]),
                  rank: 0, size: 2)
        // The flags win over the environment.
        try check(try CommandResult.run(["load", path, "--json", "--checksums", "--tp-rank", "1", "--tp-size", "2"],
                                        environment: ["RANK": "0", "WORLD_SIZE": "4"]),
                  rank: 1, size: 2)
    }

    @Test func inconsistentValuesFail() throws {
        let usage = try CommandResult.run(["load", path, "--tp-size", "2", "--tp-rank", "2"])
        #expect(usage.status == 2)
        let missing = try CommandResult.run(["load", path, "--tp-size", "2"])
        #expect(missing.status == 1)
        let disagree = try CommandResult.run(["load", path], environment: ["PMI_RANK": "0", "PMI_SIZE": "2",
                                                                           "OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2"])
        #expect(disagree.status == 1)
        #expect(disagree.stderr.contains("tensor parallelism: the launchers' variables disagree"))
    }

    /// A packed slice (Mixtral's fused gate/up experts, `_StridedShard(1, 2)`) lists its parts.
    @Test func packedSliceListsItsParts() throws {
        let result = try CommandResult.run(["load", Fixtures.path("models/MixtralForCausalLM"), "--tp-size", "2",
                                            "--tp-rank", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONParser.parse(Array(result.stdout.utf8))
        let gateUp = try #require(json["parameters"]?.arrayValue?.first {
            $0["name"]?.stringValue == "model.layers.0.mlp.experts.gate_up_proj"
        })
        #expect(gateUp["shape"] == [4, 24, 32])
        #expect(gateUp["slice"]?["dim"] == 1)
        #expect(gateUp["slice"]?["length"] == 24)
        let parts = gateUp["slice"]?["parts"]?.arrayValue?.map { [$0["start"]?.intValue, $0["length"]?.intValue] }
        #expect(parts == [[12, 12], [36, 12]])
    }

    /// A model without a tp plan cannot be split, as `transformers` refuses it.
    @Test func modelWithoutPlanFails() throws {
        let result = try CommandResult.run(["load", Fixtures.path("models/GPT2LMHeadModel"), "--tp-size", "2", "--tp-rank", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("GPT2LMHeadModel has no tp plan"))
        let one = try CommandResult.run(["load", Fixtures.path("models/GPT2LMHeadModel"), "--tp-size", "1", "--tp-rank", "0"])
        #expect(one.status == 0)
    }

    /// Without a launcher or flags the JSON has no "tp" and no "slice" (the contract is unchanged).
    @Test func plainLoadHasNoTensorParallelKeys() throws {
        let result = try CommandResult.run(["load", path, "--json"])
        let json = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(json["tp"] == nil)
        #expect(json["parameters"]?.arrayValue?.allSatisfy { $0["slice"] == nil } == true)
    }
}
