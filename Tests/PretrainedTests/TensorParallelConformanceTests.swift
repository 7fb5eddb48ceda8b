import Foundation
import Testing

@testable import Pretrained

/// Every rank of every tensor-parallel fixture loads exactly as `transformers` 5.23's
/// `from_pretrained(tp_plan="auto")` held it under `torchrun` (gloo, CPU): names in order, dtypes,
/// local shapes, the SHA-256 of each local tensor, storage sharing (tied pairs stay tied), and the
/// slice each sharded parameter holds. Fixtures: `scripts/fixtures/tensor_parallel.py`.
@Suite struct TensorParallelConformanceTests {
    static let fixtures = ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.path("tp"))) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted().map { "tp/" + $0 }

    /// `direct`: `pread` with `LoadOptions.directIO`: the rank's slices read at the device's block size.
    enum Mode: String, CaseIterable, Sendable { case views, copy, pread, direct }

    static func options(rank: Int, size: Int, mode: Mode) throws -> LoadOptions {
        var options = LoadOptions(copy: mode == .copy, backend: mode == .pread || mode == .direct ? .pread : .mmap)
        options.directIO = mode == .direct ? .always : .never
        options.tensorParallel = try TensorParallelRank(rank: rank, size: size)
        return options
    }

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 9)
    }

    @Test(arguments: fixtures, Mode.allCases)
    func everyRankMatchesTransformers(fixture: String, mode: Mode) throws {
        let expected = try Fixtures.json(fixture)
        let size = try #require(expected["size"]?.intValue)
        let path = Fixtures.path(try #require(expected["model"]?.stringValue))
        let ranks = try #require(expected["ranks"]?.arrayValue)
        #expect(ranks.count == size)
        for (rank, entry) in ranks.enumerated() {
            let model = try load(pretrained: path, options: Self.options(rank: rank, size: size, mode: mode))
            let parameters = try #require(entry["parameters"]?.arrayValue)
            #expect(model.tensorParallel?.rank == rank && model.tensorParallel?.size == size)
            #expect(model.parameters.map(\.name) == parameters.compactMap { $0["name"]?.stringValue })
            for (tensor, want) in zip(model.parameters, parameters) {
                let label = "\(tensor.name) rank \(rank)/\(size)"
                #expect(tensor.dtype.rawValue == want["dtype"]?.stringValue, "dtype of \(label)")
                #expect(tensor.shape == (want["shape"]?.arrayValue ?? []).compactMap(\.intValue), "shape of \(label)")
                #expect(tensor.sha256() == want["sha256"]?.stringValue, "sha256 of \(label)")
                #expect(model.storageName(of: tensor.name) == want["storage"]?.stringValue, "storage of \(label)")
                let slice = model.tensorParallel?.slices[tensor.name]
                let placement = want["placement"]?.arrayValue?.first?.stringValue
                #expect(placement == slice.map { $0.isPacked ? "_S(\($0.dim), \($0.ranges.count))" : "S(\($0.dim))" },
                        "placement of \(label)")
                #expect(slice?.fullShape ?? tensor.shape == (want["full_shape"]?.arrayValue ?? []).compactMap(\.intValue))
            }
        }
    }

    /// Concatenating the ranks' slices along their dimension gives the full tensor byte for byte.
    @Test(arguments: fixtures)
    func slicesReassembleTheFullTensors(fixture: String) throws {
        let expected = try Fixtures.json(fixture)
        let size = try #require(expected["size"]?.intValue)
        try checkReassembly(path: Fixtures.path(try #require(expected["model"]?.stringValue)), size: size, mode: .copy)
    }

    /// Sizes no fixture has, some larger than a sliced dimension (the last ranks hold empty slices).
    @Test(arguments: [3, 5, 40], [Mode.views, .pread])
    func oddSizesReassemble(size: Int, mode: Mode) throws {
        try checkReassembly(path: Fixtures.path("models/Qwen2MoeForCausalLM"), size: size, mode: mode)
        try checkReassembly(path: Fixtures.path("tp/models/LlamaForCausalLM-uneven-bf16"), size: size, mode: mode)
    }

    func checkReassembly(path: String, size: Int, mode: Mode) throws {
        let full = try load(pretrained: path)
        let ranks = try (0..<size).map { try load(pretrained: path, options: Self.options(rank: $0, size: size, mode: mode)) }
        for tensor in full.parameters {
            let pieces = try ranks.map { try #require($0[tensor.name]) }
            guard let slice = ranks[0].tensorParallel?.slices[tensor.name] else {
                for piece in pieces { #expect(piece.bytes == tensor.bytes, "replicated \(tensor.name)") }
                continue
            }
            let width = tensor.dtype.bitSize / 8
            let outer = tensor.shape[..<slice.dim].reduce(1, *)
            let inner = tensor.shape[(slice.dim + 1)...].reduce(1, *) * width
            // Each rank's local row is its packed parts in order; the full row is, part by part, the
            // ranks' pieces of that part in rank order.
            let slices = try ranks.map { try #require($0.tensorParallel?.slices[tensor.name]) }
            var rebuilt: [UInt8] = []
            for row in 0..<outer {
                for part in slice.ranges.indices {
                    for (rank, piece) in pieces.enumerated() {
                        let before = slices[rank].ranges[..<part].reduce(0) { $0 + $1.count }
                        let start = (row * slices[rank].length + before) * inner
                        rebuilt += piece.bytes[start..<(start + slices[rank].ranges[part].count * inner)]
                    }
                }
            }
            #expect(rebuilt == tensor.bytes, "reassembled \(tensor.name)")
        }
    }

    /// Under mmap, a dimension-0 slice is a view of the rank's bytes in the mapping; a later
    /// dimension's slice is gathered row by row into owned memory.
    @Test func dimensionZeroSlicesAreViews() throws {
        let model = try load(pretrained: Fixtures.path("models/LlamaForCausalLM"),
                             options: Self.options(rank: 1, size: 2, mode: .views))
        #expect(try #require(model["model.layers.0.self_attn.q_proj.weight"]).storage.isMapped)
        #expect(try #require(model["model.embed_tokens.weight"]).storage.isMapped)
        #expect(try !#require(model["model.layers.0.self_attn.o_proj.weight"]).storage.isMapped)
        #expect(model.totalBytes < 40_000)
    }

    /// Compressed shards decode into the same local tensors (only the rank's ranges are kept).
    @Test(arguments: [ShardCompression.zstd, .lz4])
    func compressedShardsGiveTheSameSlices(compression: ShardCompression) throws {
        let fixture = "tp/LlamaForCausalLM-uneven-bf16-tp4.json"
        let expected = try Fixtures.json(fixture)
        let source = Fixtures.path(try #require(expected["model"]?.stringValue))
        let output = try TemporaryDirectory()
        _ = try CheckpointCompressor.compress(try Checkpoint.resolve(source), to: output.path,
                                              options: .init(compression: compression, frameSize: 1000))
        for (rank, entry) in try #require(expected["ranks"]?.arrayValue).enumerated() {
            let model = try load(pretrained: output.path, options: Self.options(rank: rank, size: 4, mode: .views))
            let sums = (entry["parameters"]?.arrayValue ?? []).compactMap { $0["sha256"]?.stringValue }
            #expect(model.parameters.map { $0.sha256() } == sums)
        }
    }

    /// Size 1 is a plain load: nothing sliced, the full tensors.
    @Test func sizeOneSlicesNothing() throws {
        let path = Fixtures.path("models/Qwen2ForCausalLM")
        let model = try load(pretrained: path, options: Self.options(rank: 0, size: 1, mode: .views))
        let full = try load(pretrained: path)
        #expect(model.tensorParallel?.slices.isEmpty == true)
        #expect(model.parameters.map { $0.sha256() } == full.parameters.map { $0.sha256() })
    }
}
