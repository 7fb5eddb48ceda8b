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

/// Direct reads (`LoadOptions.directIO`): the rank's parts at the device's block size.
@Suite struct DirectReadTests {
    /// Where the file system allows `O_DIRECT`, a row-sliced tensor's parts are read in runs of
    /// touching blocks (not pages): every needed byte arrives, and no block without one is read.
    @Test(arguments: [45, 2_048, 6_000])
    func directReadsTakeOnlyTheBlocksOfTheNeededRanges(columns: Int) throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 161
        let rows = 32, full = [rows, columns]
        let path = directory.file("model.safetensors")
        try SafetensorsWriter.write([try Tensor.random("w", .bf16, full, seed: &seed)], to: path)
        guard let probe = DirectFile(path: path) else { return }   // this file system has no direct I/O
        let file = try SafetensorsFile(path: path, backend: .pread)
        let info = try #require(file.header.tensor(named: "w"))
        let slice = TensorSlice(dim: 1, start: 0, length: columns / 2, fullShape: full)
        let ranges = LoadPlan.segments(of: slice).map { ($0.full.lowerBound * 2)..<($0.full.upperBound * 2) }
        let sink = TensorParallelReadTests.RecordingSink(name: "w", ranges: ranges)
        let reads = try ShardReads(file: file, sink: sink, direct: .always)
        #expect(reads.isDirect && reads.isSparse)
        try ShardReads.run([reads], threads: 3)
        let delivered = sink.delivered.withLock { $0 }
        let block = { (byte: Int) in (file.fileRange(of: info).lowerBound + byte) / probe.offsetAlignment }
        let neededBlocks = Set(ranges.flatMap { block($0.lowerBound)...block($0.upperBound - 1) })
        let readBlocks = Set(delivered.flatMap { block($0.lowerBound)...block($0.upperBound - 1) })
        #expect(Set(ranges.flatMap { Array($0) }).isSubset(of: Set(delivered.flatMap { Array($0) })))
        #expect(readBlocks == neededBlocks)
    }

    /// Under `inPlaceOnly` (the automatic choice for a cold shard), a rank's slices still go
    /// through the page cache, read as `never` reads them: joined by pages, not by the device's
    /// blocks, and no direct file is opened for a shard with nothing to read in place.
    @Test func slicesOfAColdShardAreReadByPages() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 162
        let full = [32, 2_048]
        let path = directory.file("model.safetensors")
        try SafetensorsWriter.write([try Tensor.random("w", .bf16, full, seed: &seed)], to: path)
        guard DirectFile(path: path) != nil else { return }   // this file system has no direct I/O
        let file = try SafetensorsFile(path: path, backend: .pread)
        let slice = TensorSlice(dim: 1, start: 0, length: 1_024, fullShape: full)
        let ranges = LoadPlan.segments(of: slice).map { ($0.full.lowerBound * 2)..<($0.full.upperBound * 2) }
        let plan = { (direct: ShardReads.DirectReads) in
            try ShardReads(file: file, sink: TensorParallelReadTests.RecordingSink(name: "w", ranges: ranges), direct: direct)
        }
        let buffered = try plan(.never), inPlaceOnly = try plan(.inPlaceOnly), always = try plan(.always)
        let spans = { (reads: ShardReads) in reads.reads.map { $0.fileOffset..<($0.fileOffset + $0.length) } }
        #expect(inPlaceOnly.direct == nil && !inPlaceOnly.isDirect)
        #expect(spans(inPlaceOnly) == spans(buffered))
        #expect(spans(always).count > spans(buffered).count, "blocks apart are read apart when direct")
    }

    /// `count` seeded random bytes, and the file `data.bin` in `directory` that holds them.
    static func randomFile(count: Int, seed: UInt64, in directory: TemporaryDirectory) throws -> ([UInt8], String) {
        var generator = SplitMix64(seed: seed)
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return (bytes, try directory.write("data.bin", bytes: bytes))
    }

    /// The bytes of a direct read are the file's, wherever the range lies against the blocks
    /// (its first byte, the middle, the last byte of the file).
    @Test func directReadsReturnTheFilesBytes() throws {
        let directory = try TemporaryDirectory()
        let (bytes, path) = try Self.randomFile(count: 20_011, seed: 1_619, in: directory)
        guard let file = DirectFile(path: path) else { return }
        let staging = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 4096)
        defer { staging.deallocate() }
        for range in [0..<1, 0..<512, 1..<20_011, 511..<513, 4_000..<9_000, 20_000..<20_011, 20_010..<20_011] {
            #expect(Array(try file.read(range, into: staging)) == Array(bytes[range]), "\(range)")
        }
        #expect(throws: PretrainedError.self) { try file.read(20_000..<20_100, into: staging) }
    }

    /// A slot placed for a tensor's file offset (`TensorStorage.allocate(placedFor:room:)`) lies
    /// as the tensor does against the blocks, and a direct read lands in it in place: the slot
    /// holds the file's bytes, whatever the offset (block-aligned or not, the end of the file), and
    /// nothing past the room around it is written.
    @Test func directReadsLandInPlacedSlots() throws {
        let directory = try TemporaryDirectory()
        let (bytes, path) = try Self.randomFile(count: 50_003, seed: 1_620, in: directory)
        guard let file = DirectFile(path: path) else { return }
        for range in [0..<4_096, 1..<4_097, 511..<12_345, 4_096..<8_192, 33_333..<50_003, 49_999..<50_003] {
            let slot = try TensorStorage.allocate(byteCount: range.count, zeroed: false, tensor: "w",
                                                  placedFor: range.lowerBound, room: pageSize)
            let base = try #require(slot.bytes.baseAddress)
            #expect(slot.room == pageSize)
            #expect(Int(bitPattern: base) % pageSize == range.lowerBound % pageSize, "placement of \(range)")
            #expect(file.canRead(range, inPlaceAt: base, room: slot.room), "\(range)")
            try file.read(range, inPlaceAt: base)
            #expect(Array(slot.bytes) == Array(bytes[range]), "\(range)")
        }
        // Unplaced memory, or no room, is never read into in place.
        let plain = try TensorStorage.allocate(byteCount: 4_096, zeroed: false, tensor: "w")
        #expect(!file.canRead(1..<4_097, inPlaceAt: try #require(plain.bytes.baseAddress), room: plain.room))
    }
}
