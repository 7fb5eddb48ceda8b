import Foundation
import Testing
@testable import Pretrained

/// Opening and reading a checkpoint never writes it: every file keeps its bytes, modification and
/// change times, and the folder keeps its entries, whatever reader is used and even after
/// writing through a zero-copy view (the mapping is `MAP_PRIVATE`, copy-on-write).
@Suite struct HostileReadOnlyTests {
    /// A sharded checkpoint with a config (the committed GPT-2 fixture) copied into a fresh
    /// folder, plus a single-file checkpoint of every dtype, all back-dated.
    struct Copy {
        let directory: TemporaryDirectory
        var sharded: String { directory.file("gpt2") }
        var single: String { directory.file("single/model.safetensors") }

        init() throws {
            directory = try TemporaryDirectory()
            try directory.copy(fixture: "models/GPT2LMHeadModel", as: "gpt2")
            try FileManager.default.createDirectory(atPath: directory.file("single"), withIntermediateDirectories: false)
            var seed: UInt64 = 21
            let tensors = try DType.allCases.map { dtype in
                try Tensor.random(dtype.rawValue, dtype, dtype.bitSize < 8 ? [4, 2] : [3, 2], seed: &seed)
            }
            try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: single)
            for path in files + folders { try FileStamp.backdate(path) }
        }

        var folders: [String] { [sharded, directory.file("single")] }
        var files: [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: sharded)) ?? []
            return names.sorted().map { sharded + "/" + $0 } + [single]
        }

        /// Every file's stamp and every folder's listing and stamp.
        func stamps() throws -> [FileStamp] { try (files + folders).map(FileStamp.init) }
        func listings() throws -> [[String]] { try folders.map { try FileManager.default.contentsOfDirectory(atPath: $0).sorted() } }
    }

    @Test func openingAndReadingEveryWayNeverWrites() throws {
        let copy = try Copy()
        let before = try copy.stamps()
        let listings = try copy.listings()
        #expect(before.count >= 6)

        for path in [copy.sharded, copy.single] {
            let headers = try OpenedCheckpoint.open(Checkpoint.resolve(path))
            for backend in ReadBackend.allCases {
                for entry in headers.shards {
                    let file = try SafetensorsFile(path: entry.shard.path, backend: backend)
                    for tensor in try file.tensors() { _ = tensor.sha256() }
                }
            }
            for entry in headers.shards {
                let mapped = try MappedFile(path: entry.shard.path, populate: true)
                mapped.advise(.sequential)
                mapped.advise(.willNeed)
                mapped.adviseFile(.dontNeed)
                mapped.advise(.dontNeed)
            }
        }
        for options in [LoadOptions(), LoadOptions(backend: .pread), LoadOptions(copy: true), LoadOptions(dtype: .fixed(.f16))] {
            let model = try load(pretrained: copy.sharded, options: options)
            for tensor in model.parameters { _ = tensor.sha256() }
        }
        #expect(try copy.stamps() == before)
        #expect(try copy.listings() == listings)
        // Control: a real write is seen, so the comparison above can fail.
        let handle = try #require(FileHandle(forWritingAtPath: copy.single))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        #expect(try copy.stamps() != before)
    }

    @Test func writingThroughAMappedViewNeverReachesTheFile() throws {
        let copy = try Copy()
        let before = try copy.stamps()
        do {
            let file = try SafetensorsFile(path: copy.single, backend: .mmap)
            let views = try file.tensors()
            for view in views where view.byteCount > 0 {
                #expect(view.storage.isMapped)
                view.withUnsafeMutableSharedBytes { bytes in
                    for i in bytes.indices { bytes[i] = ~bytes[i] }
                }
            }
            // This process sees its own writes; a fresh reader sees the file, unchanged.
            let fresh = try SafetensorsFile(path: copy.single, backend: .pread)
            for view in views where view.byteCount > 0 {
                let original = try fresh.tensor(named: view.name).bytes
                #expect(view.bytes == original.map { ~$0 }, "\(view.name)")
            }
            let model = try load(pretrained: copy.sharded)
            for tensor in model.parameters where tensor.storage.isMapped {
                _ = tensor.withUnsafeMutableSharedBytes { bytes in bytes.initializeMemory(as: UInt8.self, repeating: 0xAB) }
            }
            #expect(model.parameters.contains { $0.storage.isMapped }, "the default load should view the mapping")
        }
        #expect(try copy.stamps() == before)
        // A new mapping shows the file's bytes, not the discarded private copies.
        let reopened = try SafetensorsFile(path: copy.single, backend: .mmap)
        let reference = try SafetensorsFile(path: copy.single, backend: .pread)
        for info in reopened.header.tensors {
            #expect(try reopened.tensor(info).bytes == reference.tensor(info).bytes)
        }
    }
}
