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

    /// The rank's parts of a row-sliced tensor are read, in whole elements, and nothing on a page
    /// that holds none of them: parts whose pages touch are read in one run (their gaps lie on
    /// pages the kernel reads anyway), parts pages apart in separate reads.
    @Test(arguments: [45, 2_048, 6_000, 10_000])
    func preadReadsOnlyThePagesOfTheNeededRanges(columns: Int) throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 16
        let name = "w", rows = 32, full = [rows, columns]
        let tensor = try Tensor.random(name, .bf16, full, seed: &seed)
        let path = directory.file("model.safetensors")
        try SafetensorsWriter.write([tensor], to: path)
        let file = try SafetensorsFile(path: path, backend: .pread)
        let info = try #require(file.header.tensor(named: name))
        let start = columns / 2
        let slice = TensorSlice(dim: 1, start: start, length: columns - start, fullShape: full)
        let ranges = LoadPlan.segments(of: slice).map { ($0.full.lowerBound * 2)..<($0.full.upperBound * 2) }
        #expect(ranges.count == rows)
        let sink = RecordingSink(name: name, ranges: ranges)
        try file.read(into: sink)
        let delivered = sink.delivered.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }

        let needed = Set(ranges.flatMap { Array($0) })
        let got = Set(delivered.flatMap { Array($0) })
        #expect(needed.isSubset(of: got), "a needed byte was not delivered")
        #expect(delivered.allSatisfy { $0.lowerBound % 2 == 0 && $0.count % 2 == 0 }, "chunks of whole elements")
        let dataStart = file.fileRange(of: info).lowerBound
        let page = { (byte: Int) in (dataStart + byte) / pageSize }
        let neededPages = Set(ranges.flatMap { page($0.lowerBound)...page($0.upperBound - 1) })
        let readPages = Set(delivered.flatMap { page($0.lowerBound)...page($0.upperBound - 1) })
        #expect(readPages == neededPages, "pages read that hold no needed byte")
        // Rows of a few pages: every part is a read of its own (the other half of a row is a page gap).
        if columns * 2 >= 3 * pageSize { #expect(delivered.count == rows) }
        // Rows shorter than a page: one run.
        if columns * 2 < pageSize { #expect(delivered.count == 1) }
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
