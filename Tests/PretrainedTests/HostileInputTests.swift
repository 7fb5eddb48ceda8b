import Foundation
import Testing
@testable import Pretrained

/// Hostile inputs that need a hand-built setting: special files, sizes, Unicode, files that
/// change after opening. Each names the catalogue class of SECURITY.md it proves.
@Suite struct HostileInputTests {
    // MARK: Special files and paths

    /// A FIFO opened as a safetensors file must fail at once, not wait for a writer forever.
    @Test func fifoIsRejectedWithoutBlocking() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.file("model.safetensors")
        let folder = directory.path
        #expect(mkfifo(fifo, 0o644) == 0)
        let openers: [(String, @Sendable () throws -> Void)] = [
            ("mmap", { _ = try SafetensorsFile(path: fifo, backend: .mmap) }),
            ("pread", { _ = try SafetensorsFile(path: fifo, backend: .pread) }),
            ("header", { _ = try SafetensorsFile.readHeader(path: fifo) }),
            ("index", { _ = try CheckpointIndex.read(path: fifo) }),
            ("folder", { _ = try OpenedCheckpoint.open(Checkpoint.resolve(folder)) }),
        ]
        for (name, open) in openers {
            let result = try completes(within: .seconds(5), unblocking: fifo, open)
            guard let result else {
                Issue.record("\(name): opening a FIFO blocked")
                continue
            }
            #expect(throws: PretrainedError.self, "\(name)") { try result.get() }
        }
    }

    /// Runs `body` on a thread; `nil` when it has not finished within `limit` (then a writer opens
    /// `fifo` so that the blocked thread can finish).
    func completes(within limit: Duration, unblocking fifo: String,
                   _ body: @escaping @Sendable () throws -> Void) throws -> Result<Void, any Error>? {
        let box = ResultBox()
        let thread = Thread { box.set(Result { try body() }) }
        thread.start()
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let result = box.get() { return result }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
        return nil
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<Void, any Error>?
        func set(_ value: Result<Void, any Error>) { lock.withLock { result = value } }
        func get() -> Result<Void, any Error>? { lock.withLock { result } }
    }

    /// Folders, devices and missing paths are typed errors, never a read of something else.
    @Test func pathsThatAreNotRegularFilesAreRejected() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: PretrainedError.io(file: directory.path, operation: "fstat: it is a folder, not a regular file", errno: EISDIR)) {
            try SafetensorsFile(path: directory.path)
        }
        #expect(throws: PretrainedError.io(file: "/dev/zero", operation: "fstat: it is a character device, not a regular file", errno: EINVAL)) {
            try SafetensorsFile(path: "/dev/zero", backend: .pread)
        }
        #expect(throws: PretrainedError.noCheckpoint(path: "/dev/null", reason: "it is a character device, not a regular file or folder")) {
            try Checkpoint.resolve("/dev/null")
        }
        #expect(throws: PretrainedError.io(file: directory.file("absent"), operation: "open", errno: ENOENT)) {
            try SafetensorsFile(path: directory.file("absent"))
        }
    }

    /// An index over the size limit is refused from its size alone, before any byte is read.
    @Test func indexOverTheSizeLimitIsRefusedUnread() throws {
        let directory = try TemporaryDirectory()
        let index = try directory.write(Checkpoint.indexFileName, text: "")
        #expect(truncate(index, off_t(FileContents.maximumJSONSize + 1)) == 0)  // sparse: no disk, no memory
        let clock = ContinuousClock()
        let started = clock.now
        #expect(throws: PretrainedError.io(file: index, operation: "reading a \(FileContents.maximumJSONSize + 1)-byte file (limit \(FileContents.maximumJSONSize) bytes)", errno: EFBIG)) {
            try Checkpoint.resolve(directory.path)
        }
        #expect(clock.now - started < .seconds(2))
    }

    /// A folder of several safetensors files and no index is ambiguous, not "pick one".
    @Test func folderOfSeveralFilesWithoutIndexIsAmbiguous() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 3
        try SafetensorsWriter.write([try .random("a", .f32, [1], seed: &seed)], to: directory.file("a.safetensors"))
        try SafetensorsWriter.write([try .random("b", .f32, [1], seed: &seed)], to: directory.file("b.safetensors"))
        #expect(throws: PretrainedError.self) { try Checkpoint.resolve(directory.path) }
    }

    // MARK: Numbers, names and fields the reference treats strictly

    /// `1e999` is out of range for serde_json; reading it as infinity would let it through.
    @Test func numbersOutOfRangeAreInvalidJSON() throws {
        for text in ["1e999", "-1e999", "[1E400]", "{\"a\":2e308}"] {
            #expect(throws: JSONParser.Failure.self, "\(text)") { try JSONParser.parse(Array(text.utf8)) }
        }
        #expect(try JSONParser.parse(Array("1e308".utf8)) == .double(1e308))
        #expect(try JSONParser.parse(Array("1e-999".utf8)) == .double(0))
        let directory = try TemporaryDirectory()
        let path = try directory.write("x.safetensors", bytes: RawSafetensors.file(
            header: #"{"a":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        #expect {
            try SafetensorsFile(path: path)
        } throws: { error in
            if case .headerInvalidJSON = error as? PretrainedError { return true }
            return false
        }
    }

    /// serde's derived `TensorInfo` rejects a repeated field; "last one wins" would let two
    /// readers see two different tensors in one file.
    @Test func repeatedFieldInsideATensorEntryIsRejected() throws {
        let directory = try TemporaryDirectory()
        for field in ["dtype", "shape", "data_offsets"] {
            let header = #"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4],"\#(field)":"#
                + (field == "dtype" ? #""I8""# : field == "shape" ? "[4]" : "[0,4]") + "}}"
            let path = try directory.write("\(field).safetensors", bytes: RawSafetensors.file(header: header, data: [1, 2, 3, 4]))
            #expect(throws: PretrainedError.invalidTensorInfo(file: path, tensor: "a", reason: "has '\(field)' more than once")) {
                try SafetensorsFile(path: path)
            }
        }
        // Unknown fields are ignored, repeated or not, as serde ignores them.
        let path = try directory.write("extra.safetensors", bytes: RawSafetensors.file(
            header: #"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4],"x":1,"x":[]}}"#, data: [1, 2, 3, 4]))
        #expect(try SafetensorsFile(path: path).header.tensors.count == 1)
    }

    /// Names equal under Unicode canonical equivalence (`é` precomposed and decomposed) are one
    /// name to Swift's `String`, so they are duplicates here, stricter than the reference, which
    /// compares bytes. No lookup can then confuse the two.
    @Test func canonicallyEquivalentNamesAreDuplicates() throws {
        let directory = try TemporaryDirectory()
        let header = "{\"\u{E9}\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            + "\"e\u{301}\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}"
        let path = try directory.write("nfc.safetensors", bytes: RawSafetensors.file(header: header, data: [1, 2]))
        #expect(throws: PretrainedError.duplicateTensor(file: path, tensor: "e\u{301}")) { try SafetensorsFile(path: path) }
        // In an index too.
        let index = try directory.write(Checkpoint.indexFileName,
                                        text: "{\"weight_map\":{\"\u{E9}\":\"nfc.safetensors\",\"e\u{301}\":\"nfc.safetensors\"}}")
        #expect(throws: PretrainedError.invalidIndex(file: index, reason: "tensor 'e\u{301}' appears more than once in 'weight_map'")) {
            try CheckpointIndex.read(path: index)
        }
    }

    /// Typed access cannot read a tensor as the wrong type or a name that is not there.
    @Test func typedAccessIsChecked() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 5
        let path = directory.file("t.safetensors")
        try SafetensorsWriter.write([try .random("w", .bf16, [2], seed: &seed)], to: path)
        let file = try SafetensorsFile(path: path)
        #expect(throws: PretrainedError.tensorNotFound(file: path, tensor: "v")) { try file.tensor(named: "v") }
        #expect(throws: PretrainedError.elementTypeMismatch(tensor: "w", dtype: .bf16, requested: "Int32")) {
            try file.tensor(named: "w").scalars(as: Int32.self)
        }
        #expect(try file.tensor(named: "w").floats().count == 2)
    }

    // MARK: Files that change after opening

    /// The `pread` backend reports a file truncated after opening as an I/O error.
    @Test func preadReportsAFileTruncatedAfterOpening() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 9
        let path = directory.file("shrinks.safetensors")
        try SafetensorsWriter.write([try .random("w", .f32, [1024], seed: &seed)], to: path)
        let file = try SafetensorsFile(path: path, backend: .pread)
        #expect(truncate(path, off_t(file.header.dataStart + 100)) == 0)
        #expect {
            try file.tensor(named: "w")
        } throws: { error in
            if case .io(let file, _, let code) = error as? PretrainedError { return file == path && code == EIO }
            return false
        }
    }

    /// A mapped file that shrinks is detected by `isIntact`, before any lost page is touched (the
    /// loader checks it and throws `shardChanged`; `FaultGuardTests` covers touching them).
    @Test func mappedFileThatShrinksIsNotIntact() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 10
        let path = directory.file("shrinks.safetensors")
        try SafetensorsWriter.write([try .random("w", .f32, [4096], seed: &seed)], to: path)
        let file = try SafetensorsFile(path: path, backend: .mmap)
        #expect(file.mappedFile?.isIntact == true)
        #expect(truncate(path, 64) == 0)
        #expect(file.mappedFile?.isIntact == false)
    }

    /// The loader re-opens and re-validates each shard when it reads it: a shard truncated by
    /// another process during the load (here: after the first shard is read) is a typed error
    /// naming that shard (its header no longer fits, or `shardChanged`), with either backend.
    @Test(arguments: ReadBackend.allCases)
    func loaderRefusesAShardTruncatedDuringTheLoad(backend: ReadBackend) throws {
        let directory = try TemporaryDirectory()
        let folder = try directory.copy(fixture: "models/GPT2LMHeadModel", as: "gpt2")
        let last = folder + "/model-00004-of-00004.safetensors"
        var options = LoadOptions(backend: backend)
        options.parallel = false
        options.progress = { progress in
            if progress.shardsDone == 1 { _ = truncate(last, 100) }
        }
        #expect {
            try load(pretrained: folder, options: options)
        } throws: { error in
            (error as? PretrainedError).map { "\($0)".hasPrefix(last + ":") } ?? false
        }
    }
}
