import Foundation
import Synchronization
import Testing
@testable import Pretrained

/// Issue 19: owned loads read with several `pread`s in flight, straight into the slots; zero-copy
/// loads can bring their mapped pages in, in the background (`LoadOptions.prefetch`).
@Suite struct ColdStartTests {
    static let fixture = "models/LlamaForCausalLM-bf16"

    /// The prefetch covers each mapped storage once, page-rounded, in parameter order, and ends with
    /// every byte counted; the tensors it covered are the loaded ones, unchanged.
    @Test func prefetchBringsInEveryMappedStorageOnce() async throws {
        var options = LoadOptions()
        options.prefetch = true
        let model = try await load(pretrained: Fixtures.path(Self.fixture), options: options)
        let prefetch = try #require(model.prefetch)
        await prefetch.completion()
        #expect(prefetch.isComplete)
        #expect(prefetch.bytesDone == prefetch.totalBytes)

        var seen = Set<ObjectIdentifier>(), expected = 0
        for tensor in model.parameters where seen.insert(ObjectIdentifier(tensor.storage)).inserted {
            guard case .mapped(let file) = tensor.storage.backing else { continue }
            let offset = tensor.storage.bytes.baseAddress! - UnsafeMutableRawPointer(file.bytes.baseAddress!)
            let upper = min(file.bytes.count, (offset + tensor.byteCount + pageSize - 1) / pageSize * pageSize)
            expected += upper - offset / pageSize * pageSize
        }
        #expect(expected > 0)
        #expect(prefetch.totalBytes == expected)
        let plain = try await load(pretrained: Fixtures.path(Self.fixture))
        #expect(plain.prefetch == nil, "a prefetch nobody asked for")
        #expect(model.parameters.map { $0.sha256() } == plain.parameters.map { $0.sha256() })
    }

    /// Pieces follow the parameters' order and never exceed the piece size.
    @Test func prefetchPiecesFollowTheParameters() throws {
        let model = try load(pretrained: Fixtures.path(Self.fixture))
        let pieces = Prefetch.pieces(of: model.parameters)
        #expect(pieces.allSatisfy { $0.range.count <= Prefetch.pieceSize && $0.range.lowerBound % pageSize == 0 })
        let firstMapped = try #require(model.parameters.first { if case .mapped = $0.storage.backing { true } else { false } })
        guard case .mapped(let file) = firstMapped.storage.backing else { return }
        let offset = firstMapped.storage.bytes.baseAddress! - UnsafeMutableRawPointer(file.bytes.baseAddress!)
        #expect(pieces.first?.file === file)
        #expect(pieces.first?.range.lowerBound == offset / pageSize * pageSize)
    }

    /// The `VmFlags` of the mapping of this process that holds `address` (`/proc/self/smaps`).
    static func mappingFlags(at address: UnsafeRawPointer) throws -> [Substring] {
        // Read to the end: the file's size says 0.
        let smaps = String(decoding: try #require(FileHandle(forReadingAtPath: "/proc/self/smaps")).readDataToEndOfFile(),
                           as: UTF8.self)
        var inside = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
               let start = UInt(line[..<dash], radix: 16), let end = UInt(line[line.index(after: dash)..<space], radix: 16) {
                inside = (start..<end).contains(UInt(bitPattern: address))
            } else if inside, line.hasPrefix("VmFlags:") {
                return line.dropFirst("VmFlags:".count).split(separator: " ")
            }
        }
        return []
    }

    /// The prefetch asks for 2 MiB pages on each mapping it brings in (`hg` in the mapping's flags),
    /// which a plain zero-copy load does not.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/smaps")))
    func thePrefetchAsksForHugePages() throws {
        var options = LoadOptions()
        options.prefetch = true
        let model = try load(pretrained: Fixtures.path(Self.fixture), options: options)
        model.prefetch?.wait()
        let mapped = try #require(model.parameters.first { if case .mapped = $0.storage.backing { true } else { false } })
        #expect(try Self.mappingFlags(at: mapped.storage.bytes.baseAddress!).contains("hg"))

        let plain = try load(pretrained: Fixtures.path(Self.fixture))
        let view = try #require(plain.parameters.first { if case .mapped = $0.storage.backing { true } else { false } })
        let flags = try Self.mappingFlags(at: view.storage.bytes.baseAddress!)
        #expect(!flags.isEmpty && !flags.contains("hg"), "\(flags)")
    }

    /// Conversions read a shard whole from its mapping, in 2 MiB pages too.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/smaps")))
    func conversionsFromTheMappingAskForHugePages() throws {
        let file = try SafetensorsFile(path: Fixtures.path(Self.fixture) + "/model.safetensors")
        let mapping = try #require(file.mappedFile)
        #expect(!(try Self.mappingFlags(at: mapping.bytes.baseAddress!).contains("hg")))
        let reads = try ShardReads(file: file, sink: AutomaticDirectReadTests.ChunkSink())
        #expect(reads.mapping === mapping)
        #expect(try Self.mappingFlags(at: mapping.bytes.baseAddress!).contains("hg"))
    }

    /// Owned loads have nothing to prefetch.
    @Test func ownedLoadsHaveNoPrefetch() throws {
        var options = LoadOptions(copy: true)
        options.prefetch = true
        #expect(try load(pretrained: Fixtures.path(Self.fixture), options: options).prefetch == nil)
        options = LoadOptions(backend: .pread)
        options.prefetch = true
        #expect(try load(pretrained: Fixtures.path(Self.fixture), options: options).prefetch == nil)
    }

    /// A shard cut short after the load: the prefetch stops at the lost pages instead of faulting
    /// (no SIGBUS, nothing touched past the end), completes, and counts less than everything.
    @Test func aPrefetchOfATruncatedShardStopsWithoutFaulting() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 19
        let tensors = try (0..<4).map { try Tensor.random("w\($0)", .f32, [256, 64], seed: &seed) }  // 64 KiB each
        try SafetensorsWriter.write(tensors, to: directory.file("model.safetensors"))
        let file = try SafetensorsFile(path: directory.file("model.safetensors"))
        let views = try file.tensors()
        #expect(truncate(directory.file("model.safetensors"), off_t(file.header.dataStart + 65_536)) == 0)
        let prefetch = try #require(Prefetch.start(views, threads: 3))
        prefetch.wait()
        #expect(prefetch.isComplete)
        #expect(prefetch.bytesDone < prefetch.totalBytes)
        #expect(prefetch.bytesDone <= 2 * 65_536 + 2 * pageSize)
    }

    /// Several reads in flight fill the same bytes as one thread, for copies and conversions over
    /// every shard of a sharded checkpoint; the progress reports, one at a time, never go back and
    /// end with every shard and every byte.
    @Test(arguments: [LoadOptions.DTypeChoice.auto, .fixed(.f32)])
    func parallelReadsEqualSerialReads(dtype: LoadOptions.DTypeChoice) throws {
        let path = Fixtures.path("models/GPT2LMHeadModel")
        var serial = LoadOptions(dtype: dtype, copy: true)
        serial.parallel = false
        var parallel = LoadOptions(dtype: dtype, copy: true)
        let reports = Mutex<[LoadProgress]>([])
        parallel.progress = { progress in reports.withLock { $0.append(progress) } }
        let one = try load(pretrained: path, options: serial)
        let many = try load(pretrained: path, options: parallel)
        #expect(one.parameters.map { $0.sha256() } == many.parameters.map { $0.sha256() })
        #expect(many.parameters.allSatisfy { if case .mapped = $0.storage.backing { false } else { true } })
        let seen = reports.withLock { $0 }
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.bytesDone <= $1.bytesDone && $0.shardsDone <= $1.shardsDone })
        let last = try #require(seen.last)
        #expect(last.shardsDone == last.shardCount && last.shardCount == 4 && last.bytesDone == last.totalBytes)
    }

    /// `--prefetch` changes nothing in the report; `--checksums` (which prefetches) still equals
    /// the sums of an owned load.
    @Test func prefetchFlagKeepsTheOutput() throws {
        let fixture = Fixtures.path(Self.fixture)
        let plain = try CommandResult.run(["load", fixture, "--json"])
        let prefetched = try CommandResult.run(["load", fixture, "--json", "--prefetch"])
        #expect(plain.status == 0 && prefetched.status == 0, "\(prefetched.stderr)")
        let strip = { (text: String) in text.split(separator: "\n").filter { !$0.contains("\"seconds\"") } }
        #expect(strip(plain.stdout) == strip(prefetched.stdout))
        let viewed = try CommandResult.run(["load", fixture, "--json", "--checksums"])
        let copied = try CommandResult.run(["load", fixture, "--json", "--checksums", "--copy"])
        #expect(viewed.status == 0 && copied.status == 0)
        let sums = { (text: String) in try JSONParser.parse(Array(text.utf8))["parameters"]?.arrayValue?.map { $0["sha256"] } }
        #expect(try sums(viewed.stdout) == sums(copied.stdout))
        #expect((try sums(viewed.stdout))?.isEmpty == false)
    }

    /// `--direct` and `--buffered` choose how owned copies are read, not what they hold: the
    /// checksums are those of the default load; both at once are refused before any reading.
    @Test func directAndBufferedFlagsKeepTheTensors() throws {
        let fixture = Fixtures.path(Self.fixture)
        let sums = { (text: String) in try JSONParser.parse(Array(text.utf8))["parameters"]?.arrayValue?.map { $0["sha256"] } }
        let automatic = try CommandResult.run(["load", fixture, "--json", "--checksums", "--copy"])
        #expect(automatic.status == 0, "\(automatic.stderr)")
        for flag in ["--direct", "--buffered"] {
            let chosen = try CommandResult.run(["load", fixture, "--json", "--checksums", "--copy", flag])
            #expect(chosen.status == 0, "\(flag): \(chosen.stderr)")
            #expect(try sums(chosen.stdout) == sums(automatic.stdout), "\(flag)")
        }
        let both = try CommandResult.run(["load", fixture, "--direct", "--buffered"])
        #expect(both.status != 0 && both.stderr.contains("--direct and --buffered exclude each other"), "\(both.stderr)")
    }

    /// A shard cut short by another process while several reads are in flight (here: at the first
    /// progress report) ends the load with one typed error naming that shard: copies buffered or
    /// direct (the read fails), conversions read from the mapping (the lost pages read as zeros,
    /// so the mapping is no longer intact: `shardChanged`); the other threads stop at their next read.
    enum Reading: String, CaseIterable, Sendable { case copy, direct, convertFromMapping }

    @Test(arguments: Reading.allCases)
    func aShardTruncatedDuringParallelReadsIsATypedError(reading: Reading) throws {
        let directory = try TemporaryDirectory()
        let folder = try directory.copy(fixture: "models/GPT2LMHeadModel", as: "gpt2")
        let last = folder + "/model-00004-of-00004.safetensors"
        var options = reading == .convertFromMapping ? LoadOptions(dtype: .fixed(.f16)) : LoadOptions(copy: true)
        options.directIO = reading == .direct ? .always : .never
        options.progress = { _ in _ = truncate(last, 100) }
        #expect {
            try load(pretrained: folder, options: options)
        } throws: { error in
            (error as? PretrainedError).map { "\($0)".hasPrefix(last + ":") } ?? false
        }
    }
}
