import Foundation
import Synchronization
import Testing

@testable import Pretrained

/// A rank reads only its bytes: with `pread`, a row-sliced tensor's other rows' parts are never read.
@Suite struct TensorParallelReadTests {
    /// Records every chunk delivered for `name`, and asks only for `ranges` of it.
    final class RecordingSink: TensorSink {
        let name: String
        let ranges: [Range<Int>]
        let delivered = Mutex<[Range<Int>]>([])

        init(name: String, ranges: [Range<Int>]) {
            self.name = name
            self.ranges = ranges
        }

        func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination {
            info.name == name ? .chunks : .discard
        }

        func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
            delivered.withLock { $0.append(offset..<(offset + chunk.count)) }
        }

        func neededRanges(of info: TensorInfo) -> [Range<Int>]? { ranges }
    }

    @Test func preadReadsOnlyTheNeededRanges() throws {
        let checkpoint = try Checkpoint.resolve(Fixtures.path("tp/models/LlamaForCausalLM-uneven-bf16"))
        let opened = try OpenedCheckpoint.open(checkpoint, backend: .pread)
        guard case .plain(let file) = try #require(opened.shards.first).contents else {
            Issue.record("not a plain shard")
            return
        }
        let name = "model.layers.1.mlp.down_proj.weight"   // [32, 45] BF16: rank 1 of 2 holds columns 23..<45
        let slice = TensorSlice(dim: 1, start: 23, length: 22, fullShape: [32, 45])
        let ranges = LoadPlan.segments(of: slice).map { ($0.full.lowerBound * 2)..<($0.full.upperBound * 2) }
        #expect(ranges.count == 32)
        let sink = RecordingSink(name: name, ranges: ranges)
        try file.read(into: sink)
        let delivered = sink.delivered.withLock { $0 }
        #expect(delivered == ranges)
        #expect(delivered.reduce(0) { $0 + $1.count } == 32 * 22 * 2)
    }

    /// The slot sink asks for exactly the rank's parts of a row-sliced tensor.
    @Test func slotSinkNeedsOnlyTheRanksRows() throws {
        let path = Fixtures.path("tp/models/LlamaForCausalLM-uneven-bf16")
        let checkpoint = try Checkpoint.resolve(path)
        let opened = try OpenedCheckpoint.open(checkpoint, backend: .pread)
        let config = try ModelConfig.read(path: try #require(checkpoint.configPath))
        let model = try MetaModel(config: config, architecture: try ArchitectureRegistry.shared.resolve(config, name: nil),
                                  dtype: .bf16)
        let plan = try LoadPlan(model: model, opened: opened, ignoreMismatchedSizes: false)
        let (local, sliced, _) = try tensorParallelSlice(model, plan: plan, tp: TensorParallelRank(rank: 1, size: 2))
        let index = try #require(model.index(of: "model.layers.0.self_attn.o_proj.weight"))
        let fill = try #require(sliced.fills[index])
        let storage = try TensorStorage.allocate(byteCount: local.slots[index].byteCount, zeroed: true, tensor: "o")
        var owned = [TensorStorage?](repeating: nil, count: local.slots.count)
        owned[index] = storage
        let sink = SlotSink(copies: fill.pieces.map { (index, $0) }, owned: owned, slots: local.slots)
        let info = try #require(opened.shards[0].header.tensors.first { $0.name == "model.layers.0.self_attn.o_proj.weight" })
        let needed = try #require(sink.neededRanges(of: info))
        #expect(needed.count == 32)
        #expect(needed.reduce(0) { $0 + $1.count } == 32 * 16 * 2)
        #expect(needed.first == 32..<64)
    }
}
