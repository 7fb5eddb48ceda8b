import Foundation
import Synchronization
import Testing

@testable import Pretrained

#if canImport(Glibc)
import Glibc
#endif

/// `DirectIO.automatic`, the default: owned copies of a shard the page cache does not hold are
/// read directly into their slots (and stay out of the cache), those of a cached shard through the
/// cache; conversions and a rank's slices always through the cache.
@Suite(.enabled(if: EvictionProbe.systemCanEvict, "needs cachestat(2), O_DIRECT and eviction of clean pages"))
struct AutomaticDirectReadTests {
    /// A generic checkpoint of one shard: a 6 MiB bf16 tensor and a small one.
    static func checkpoint(_ directory: TemporaryDirectory) throws -> String {
        var seed: UInt64 = 19
        try SafetensorsWriter.write([try Tensor.random("big.weight", .bf16, [1_536, 2_048], seed: &seed),
                                     try Tensor.random("small.bias", .bf16, [300], seed: &seed)],
                                    to: directory.file("model.safetensors"))
        _ = try directory.write("config.json", text: #"{"architectures": ["FooModel"], "model_type": "foo"}"#)
        return directory.file("model.safetensors")
    }

    /// What opening a shard may bring into the page cache besides its header: the kernel's
    /// read-ahead around the header's `pread`.
    static let headerReadAround = 256 << 10

    /// Writes `path`'s pages to the disk and drops them from the page cache.
    static func evict(_ path: String) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.synchronize()
        #expect(posix_fadvise(handle.fileDescriptor, 0, 0, POSIX_FADV_DONTNEED) == 0)
        try handle.close()
    }

    /// The page cache's bytes of `path`'s tensor data.
    static func cachedData(_ path: String) throws -> Int {
        let file = try SafetensorsFile(path: path)
        let data = file.header.dataStart..<(file.header.dataStart + file.header.dataLength)
        return try #require(file.descriptor.cachedBytes(in: data))
    }

    static func load(_ folder: String, copy: Bool = true, dtype: LoadOptions.DTypeChoice = .auto,
                     direct: DirectIO = .automatic) throws -> PretrainedModel {
        var options = LoadOptions(dtype: dtype, copy: copy)
        options.generic = true
        options.directIO = direct
        return try Pretrained.load(pretrained: folder, options: options)
    }

    /// The decision follows the cache: evicted, direct into place; read once, buffered;
    /// `always` and `never` whatever the cache holds.
    @Test func theChoiceFollowsWhatThePageCacheHolds() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.checkpoint(directory)
        try Self.evict(path)
        let cold = try SafetensorsFile(path: path)
        #expect(ShardReads.DirectReads(.automatic, file: cold) == .inPlaceOnly)
        #expect(ShardReads.DirectReads(.always, file: cold) == .always)
        #expect(ShardReads.DirectReads(.never, file: cold) == .never)

        _ = try Data(contentsOf: URL(fileURLWithPath: path))
        let warm = try SafetensorsFile(path: path)
        #expect(try Self.cachedData(path) == warm.header.dataLength)
        #expect(ShardReads.DirectReads(.automatic, file: warm) == .never)
        #expect(ShardReads.DirectReads(.always, file: warm) == .always)
    }

    /// An evicted shard loaded with `--copy` by default is read directly: its data is not in the
    /// page cache afterwards (but for what reading the header brought in around it), where a
    /// buffered load of the same evicted shard leaves all of it there; the tensors are the same.
    @Test func aColdCopyIsReadDirectlyAndLeavesTheCacheCold() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.checkpoint(directory)
        let length = try SafetensorsFile(path: path).header.dataLength

        try Self.evict(path)
        let direct = try Self.load(directory.path)
        let afterDirect = try Self.cachedData(path)
        #expect(afterDirect <= Self.headerReadAround, "\(afterDirect) of \(length) bytes cached after an automatic cold load")

        try Self.evict(path)
        let buffered = try Self.load(directory.path, direct: .never)
        #expect(try Self.cachedData(path) == length)

        let warm = try Self.load(directory.path)
        #expect(direct.parameters.map { $0.sha256() } == buffered.parameters.map { $0.sha256() })
        #expect(warm.parameters.map { $0.sha256() } == buffered.parameters.map { $0.sha256() })
        #expect(direct.parameters.allSatisfy { if case .owned = $0.storage.backing { true } else { false } })
    }

    /// A cold shard whose direct descriptor cannot be opened (the process has no descriptor left)
    /// is read through the page cache instead: the load succeeds with the same tensors, and the
    /// shard is then in the cache. Runs in a child process, whose descriptor limit it lowers so
    /// that the shard's own descriptor is the last one free.
    @Test func withoutADescriptorLeftAColdShardIsReadThroughTheCache() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let directory = try TemporaryDirectory()
            let path = try AutomaticDirectReadTests.checkpoint(directory)
            let expected = try AutomaticDirectReadTests.load(directory.path, direct: .never).parameters.map { $0.sha256() }
            try AutomaticDirectReadTests.evict(path)
            // Fill every free descriptor number below the highest in use, then allow one more.
            var highest: Int32 = 0
            for name in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
                highest = max(highest, Int32(name) ?? 0)
            }
            var fillers: [Int32] = []
            while true {
                let fd = open("/dev/null", O_RDONLY)
                guard fd >= 0, fd < highest else { if fd >= 0 { close(fd) }; break }
                fillers.append(fd)
            }
            var limit = rlimit(rlim_cur: rlim_t(highest + 2), rlim_max: rlim_t(highest + 2))
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { print("setrlimit: \(errno)"); exit(1) }
            let loaded: [String]
            do {
                loaded = try AutomaticDirectReadTests.load(directory.path).parameters.map { $0.sha256() }
            } catch {
                print("the load failed: \(error)")
                exit(1)
            }
            let cached = (try? AutomaticDirectReadTests.cachedData(path)) ?? -1
            let length = (try? SafetensorsFile(path: path, backend: .pread).header.dataLength) ?? -2
            if loaded != expected { print("other tensors"); exit(1) }
            if cached != length { print("\(cached) of \(length) bytes cached: not read through the cache"); exit(1) }
            exit(0)
        }
        if let result, result.exitStatus != .exitCode(0) {
            print(String(decoding: result.standardOutputContent, as: UTF8.self))
        }
    }

    /// Collects every tensor's bytes as chunks: what a conversion's sink is handed.
    final class ChunkSink: TensorSink {
        let bytes = Mutex<[String: [UInt8]]>([:])

        func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination { .chunks }

        func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
            bytes.withLock { all in
                var tensor = all[info.name] ?? [UInt8](repeating: 0, count: info.byteCount)
                tensor.replaceSubrange(offset..<(offset + chunk.count), with: chunk)
                all[info.name] = tensor
            }
        }
    }

    /// The chunks a conversion (or a rank's slicing) is handed from an evicted shard come through
    /// the page cache (from the mapping) under `inPlaceOnly`, and straight from the device under
    /// `always`: the same bytes, the file's.
    @Test func coldConversionsReadThroughThePageCache() throws {
        let directory = try TemporaryDirectory()
        let path = try Self.checkpoint(directory)
        // Read, not mapped: the kernel does not drop pages a process maps.
        let contents = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let unmapped = try SafetensorsFile(path: path, backend: .pread)
        let expected = Dictionary(uniqueKeysWithValues: unmapped.header.tensors.map {
            ($0.name, [UInt8](contents[unmapped.fileRange(of: $0)]))
        })
        for (direct, cachedAfter) in [(ShardReads.DirectReads.inPlaceOnly, true), (.always, false)] {
            try Self.evict(path)
            let file = try SafetensorsFile(path: path)
            let sink = ChunkSink()
            let reads = try ShardReads(file: file, sink: sink, direct: direct)
            try ShardReads.run([reads], threads: 4)
            #expect(sink.bytes.withLock { $0 } == expected, "\(direct)")
            let cached = try Self.cachedData(path)
            #expect(cachedAfter ? cached == file.header.dataLength : cached <= Self.headerReadAround,
                    "\(direct): \(cached) of \(file.header.dataLength) bytes cached")
        }
    }
}

/// Whether this system answers `cachestat`, reads directly and drops a synced file's pages (a
/// tmpfs cannot: its pages are the file), tried once on a file like the tests'.
enum EvictionProbe {
    static let systemCanEvict: Bool = {
        guard let directory = try? TemporaryDirectory(), let path = try? AutomaticDirectReadTests.checkpoint(directory),
              (try? AutomaticDirectReadTests.evict(path)) != nil, DirectFile(path: path) != nil else { return false }
        // Opening the file reads its header, and the kernel a few pages around it.
        return (try? AutomaticDirectReadTests.cachedData(path)).map { $0 <= AutomaticDirectReadTests.headerReadAround } ?? false
    }()
}
