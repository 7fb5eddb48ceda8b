import Dispatch
import Foundation
import Testing
@testable import Pretrained

/// SECURITY.md class 52: a shard truncated by another process after it was mapped must not kill
/// the host process. Zero-copy views stay the default; the fault guard turns the `SIGBUS` of a
/// lost page into zeros and `isIntact == false`. Each test runs in a child process, so that a
/// broken guard fails the test instead of killing the whole run. A child ends with `exit` (or a
/// signal), so no `defer` runs: each removes its files as soon as they are open or mapped and
/// truncates through a descriptor, leaving nothing in `/tmp` however it ends.
@Suite struct FaultGuardTests {
    @Test func viewsOfATruncatedFileReadZerosPastTheNewEnd() async {
        await #expect(processExitsWith: .success) { FaultGuardTests.truncateUnderViews() }
    }

    @Test func loadedModelSurvivesATruncatedShardAndCheckIntactNamesIt() async {
        await #expect(processExitsWith: .success) { FaultGuardTests.truncateUnderLoadedModel() }
    }

    /// The guard handles only its own mappings: a fault in any other mapping still reaches the
    /// handler installed before it (here the default action, which kills with SIGBUS).
    @Test func faultsOutsideGuardedMappingsStillRaiseSIGBUS() async {
        await #expect(processExitsWith: .signal(SIGBUS)) { FaultGuardTests.truncateUnderUnguardedMapping() }
    }

    /// In a child: a 64 KiB tensor viewed zero-copy; the file is cut to 5,000 bytes of data and
    /// read by several threads at once. Bytes before the cut's page keep their values, the lost
    /// pages read as zeros, and both the file and the tensor's storage report the damage.
    static func truncateUnderViews() {
        let path = "/tmp/pretrained-guard-views-\(getpid()).safetensors"
        var seed: UInt64 = 52
        let original = childTry { try Tensor.random("w", .u8, [65_536], seed: &seed) }
        childTry { try SafetensorsWriter.write([original], to: path) }
        let descriptor = open(path, O_RDWR)
        let opened = Result { try SafetensorsFile(path: path, backend: .mmap) }
        unlink(path)
        let file = childTry { try opened.get() }
        childRequire(descriptor >= 0, "open")
        let tensor = childTry { try file.tensor(named: "w") }
        childRequire(tensor.storage.isIntact, "intact before the truncation")
        let dataStart = file.header.dataStart
        let keptBytes = 5_000
        childRequire(ftruncate(descriptor, off_t(dataStart + keptBytes)) == 0, "truncate")

        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let survivingPrefix = (dataStart + keptBytes) / pageSize * pageSize - dataStart
        let chunks = 16, chunk = tensor.byteCount / chunks
        let copy = TensorStorage(uninitializedByteCount: tensor.byteCount)
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            let range = index * chunk..<(index + 1) * chunk
            tensor.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: copy.bytes[range]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
        }
        let read = Array(copy.bytes), expected = original.bytes
        childRequire(read[..<survivingPrefix].elementsEqual(expected[..<survivingPrefix]), "bytes before the cut changed")
        let lostStart = max(survivingPrefix, keptBytes)
        childRequire(read[lostStart...].allSatisfy { $0 == 0 }, "lost pages do not read as zeros")
        childRequire(file.mappedFile?.isIntact == false, "the file still reports intact")
        childRequire(!tensor.storage.isIntact, "the storage still reports intact")
        exit(0)
    }

    /// In a child: GPT-2 loaded zero-copy from a copy of the fixture; its last shard is cut to
    /// 100 bytes. Every parameter's bytes can still be read (checksummed), and `checkIntact()`
    /// throws `shardChanged` naming that shard.
    static func truncateUnderLoadedModel() {
        let folder = "/tmp/pretrained-guard-model-\(getpid())"
        let last = folder + "/model-00004-of-00004.safetensors"
        childTry { try FileManager.default.copyItem(atPath: Fixtures.path("models/GPT2LMHeadModel"), toPath: folder) }
        let loaded = Result { try load(pretrained: folder) }
        let descriptor = open(last, O_RDWR)
        try? FileManager.default.removeItem(atPath: folder)
        let model = childTry { try loaded.get() }
        childRequire(descriptor >= 0, "open")
        childRequire(model.parameters.contains { if case .mapped = $0.storage.backing { true } else { false } },
                     "the default load has no zero-copy views")
        childTry { try model.checkIntact() }
        childRequire(ftruncate(descriptor, 100) == 0, "truncate")
        for parameter in model.parameters { _ = parameter.sha256() }
        do {
            try model.checkIntact()
            childRequire(false, "checkIntact passed after the truncation")
        } catch {
            guard case .shardChanged(let file) = error, file == last else {
                childRequire(false, "checkIntact threw \(error)")
                return
            }
        }
        exit(0)
    }

    /// In a child: the guard is installed (a `MappedFile` exists), then a file mapped directly
    /// with `mmap(2)`, not through `MappedFile`, is truncated and touched.
    static func truncateUnderUnguardedMapping() {
        let path = "/tmp/pretrained-guard-raw-\(getpid()).bin"
        let guarded = "/tmp/pretrained-guard-installed-\(getpid()).bin"
        childRequire(FileManager.default.createFile(atPath: guarded, contents: Data(count: 4096)), "create")
        childRequire(FileManager.default.createFile(atPath: path, contents: Data(count: 1 << 16)), "create")
        let installer = Result { try MappedFile(path: guarded) }
        let descriptor = open(path, O_RDWR)
        let mapping = mmap(nil, 1 << 16, PROT_READ, MAP_PRIVATE, descriptor, 0)
        unlink(path)
        unlink(guarded)
        _ = childTry { try installer.get() }
        guard let base = mapping, base != MAP_FAILED else {
            childRequire(false, "mmap")
            return
        }
        childRequire(ftruncate(descriptor, 0) == 0, "truncate")
        let value = base.load(fromByteOffset: 1 << 15, as: UInt8.self)  // raises SIGBUS
        print(value, (try? installer.get())?.bytes.count ?? 0)
        exit(0)
    }
}

/// Ends the child process with status 1 and a message when `condition` is false.
private func childRequire(_ condition: Bool, _ message: String) {
    guard condition else {
        FileHandle.standardError.write(Data("child check failed: \(message)\n".utf8))
        exit(1)
    }
}

/// The value of `body`, or the end of the child process with status 1 when it throws.
private func childTry<T>(_ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("child check failed: \(error)\n".utf8))
        exit(1)
    }
}
