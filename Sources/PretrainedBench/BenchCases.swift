import Foundation
import Pretrained

/// One measured thing: a limit kernel or one of our loads.
struct BenchCase: Sendable {
    /// Short name, used to run it in a child process.
    var name: String
    /// What it measures, for the table.
    var title: String
    /// The limit it is compared with (a kernel's name), if any.
    var limit: String?
    /// Runs once and returns the bytes it moved (the seconds are measured around it).
    var run: @Sendable (BenchContext) throws -> Int
    /// Work done before the clock starts, not timed: eviction for the cold cases; for the others
    /// reading the shards through the page cache, so that a warm case is warm whatever ran before
    /// it in the round (a cold case, a direct read).
    var setUp: @Sendable (BenchContext) throws -> Void = { _ = try Kernels.readThrough($0.shards) }
}

/// What a case runs against.
struct BenchContext {
    var checkpoint: BenchCheckpoint
    var shards: [String]
    var headerOnlyCheckpoint: String
    /// The cache folder (the quantized checkpoints live there).
    var cache: String
    var cliPath: String
    /// Keeps loaded models alive until the child measures its memory.
    var keepAlive: (Any) -> Void

    /// The plain shard sizes, in order.
    var plainSizes: [Int] { shards.map { (try? BenchCases.fileSize($0)) ?? 0 } }
    var plainBytes: Int { plainSizes.reduce(0, +) }

    /// The shard files of a compressed variant, in order.
    func files(_ variant: String) throws -> [String] {
        try Checkpoint.resolve(checkpoint.directory + "-" + variant).shards.map(\.path)
    }
}

enum BenchCases {
    static let all: [BenchCase] = [
        BenchCase(name: "read", title: "limit: read shards through the page cache", run: { try Kernels.readThrough($0.shards) }),
        BenchCase(name: "memcpy", title: "limit: mmap + memcpy into fresh memory", run: { try Kernels.mmapMemcpy($0.shards) }),
        BenchCase(name: "memcpy-huge", title: "limit: mmap + memcpy into fresh huge pages",
                  run: { try Kernels.mmapMemcpy($0.shards, hugePages: true) }),
        BenchCase(name: "widen", title: "limit: mmap + widen bf16 into fresh F32 memory", run: { try Kernels.mmapWiden($0.shards) }),
        BenchCase(name: "read-fresh", title: "limit: read() into fresh memory", run: { try Kernels.readIntoFreshMemory($0.shards) }),
        BenchCase(name: "cold-read", title: "limit: cold read() into fresh memory (after eviction)",
                  run: { try Kernels.readIntoFreshMemory($0.shards) }, setUp: { try evictOrFail($0.shards) }),
        // The device's sequential read through the page cache, one thread: what issue 19 compares cold loads with.
        BenchCase(name: "cold-cat", title: "limit: cat of the cold shards > /dev/null (the device's read)",
                  run: { try stockCat($0.shards) }, setUp: { try evictOrFail($0.shards) }),

        BenchCase(name: "zstd-cli", title: "limit: zstd -d (one frame per shard, 1 thread)", run: { context in
            try CodecKernels.stockTool(["zstd", "-d", "-c", "-q"], files: context.files("zstd1"), plainBytes: context.plainBytes)
        }, setUp: { try warm($0, "zstd1") }),
        BenchCase(name: "lz4-cli", title: "limit: lz4 -d (1 thread)", run: { context in
            try CodecKernels.stockTool(["lz4", "-d", "-c", "-q"], files: context.files("lz4"), plainBytes: context.plainBytes)
        }, setUp: { try warm($0, "lz4") }),
        BenchCase(name: "zstd-fresh", title: "limit: libzstd decode into fresh memory (1 thread)", run: { context in
            try CodecKernels.decodeIntoFreshMemory(context.files("zstd1"), plainSizes: context.plainSizes, codec: "zstd")
        }, setUp: { try warm($0, "zstd1") }),
        BenchCase(name: "lz4-fresh", title: "limit: liblz4 decode into fresh memory (1 thread)", run: { context in
            try CodecKernels.decodeIntoFreshMemory(context.files("lz4"), plainSizes: context.plainSizes, codec: "lz4")
        }, setUp: { try warm($0, "lz4") }),

        BenchCase(name: "load", title: "load: zero-copy default", run: { try load($0, LoadOptions()) }),
        BenchCase(name: "load-copy", title: "load: --copy", limit: "memcpy", run: { try load($0, LoadOptions(copy: true)) }),
        BenchCase(name: "load-f32", title: "load: bf16 -> F32", limit: "widen",
                  run: { try load($0, LoadOptions(dtype: .fixed(.f32))) }),
        BenchCase(name: "load-pread", title: "load: pread backend", limit: "read-fresh",
                  run: { try load($0, LoadOptions(backend: .pread)) }),
        BenchCase(name: "load-cold", title: "load: --copy, cold (after eviction)", limit: "cold-cat",
                  run: { try load($0, LoadOptions(copy: true)) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-cold-pread", title: "load: --pread, cold", limit: "cold-cat",
                  run: { try load($0, LoadOptions(backend: .pread)) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-cold-buffered", title: "load: --copy --buffered, cold (through the page cache)",
                  limit: "cold-cat", run: { try load($0, bufferedCopy) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-cold-f32", title: "load: bf16 -> F32, cold", limit: "cold-cat",
                  run: { try load($0, LoadOptions(dtype: .fixed(.f32))) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-cold-prefetch", title: "load: zero-copy + --prefetch, cold, until resident", limit: "cold-cat",
                  run: { try load($0, prefetched, waitForPrefetch: true) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "checksums", title: "load: zero-copy + SHA-256 of every tensor (all cores)",
                  run: { try loadAndHash($0) }),
        BenchCase(name: "checksums-cold", title: "load: zero-copy + SHA-256 of every tensor, cold, behind --prefetch",
                  limit: "cold-cat", run: { try loadAndHash($0) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-cold-zstd", title: "load: zstd, 4 MiB frames, cold", limit: "load-cold",
                  run: { try load($0, LoadOptions(), variant: "zstd") }, setUp: { try evictOrFail($0.files("zstd")) }),
        BenchCase(name: "load-cold-lz4", title: "load: lz4, 4 MiB frames, cold", limit: "load-cold",
                  run: { try load($0, LoadOptions(), variant: "lz4") }, setUp: { try evictOrFail($0.files("lz4")) }),
        BenchCase(name: "load-zstd1", title: "load: zstd, one frame per shard", limit: "zstd-fresh",
                  run: { try load($0, LoadOptions(), variant: "zstd1") }, setUp: { try warm($0, "zstd1") }),
        BenchCase(name: "load-zstd", title: "load: zstd, 4 MiB frames in parallel", limit: "zstd-fresh",
                  run: { try load($0, LoadOptions(), variant: "zstd") }, setUp: { try warm($0, "zstd") }),
        BenchCase(name: "load-lz4", title: "load: lz4, 4 MiB frames in parallel", limit: "lz4-fresh",
                  run: { try load($0, LoadOptions(), variant: "lz4") }, setUp: { try warm($0, "lz4") }),
        // One shard at a time, so that only frames can spread the work over the cores.
        BenchCase(name: "load-zstd1-serial", title: "load: zstd, one frame per shard, shards one by one",
                  limit: "zstd-fresh", run: { try load($0, serialShards, variant: "zstd1") }, setUp: { try warm($0, "zstd1") }),
        BenchCase(name: "load-zstd-serial", title: "load: zstd, 4 MiB frames, shards one by one", limit: "zstd-fresh",
                  run: { try load($0, serialShards, variant: "zstd") }, setUp: { try warm($0, "zstd") }),
        // Tensor parallelism: rank 0 of N after eviction; the bytes column is the checkpoint's bytes
        // the load made the kernel read (resident pages afterwards), printed with the bound of
        // issue 16 (1.1 x the rank's sliced bytes plus its replicated bytes).
        BenchCase(name: "load-tp2-read", title: "load: rank 0 of 2, --copy --buffered, cold: bytes read",
                  run: { try rankBytesRead($0, size: 2, backend: .mmap) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-tp4-read", title: "load: rank 0 of 4, --copy --buffered, cold: bytes read",
                  run: { try rankBytesRead($0, size: 4, backend: .mmap) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-tp2-pread", title: "load: rank 0 of 2, --pread --buffered, cold: bytes read",
                  run: { try rankBytesRead($0, size: 2, backend: .pread) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-tp4-pread", title: "load: rank 0 of 4, --pread --buffered, cold: bytes read",
                  run: { try rankBytesRead($0, size: 4, backend: .pread) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-tp2-auto", title: "load: rank 0 of 2, --copy (default reads), cold: bytes read",
                  run: { try rankBytesRead($0, size: 2, backend: .mmap, direct: .automatic) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-tp4-auto", title: "load: rank 0 of 4, --copy (default reads), cold: bytes read",
                  run: { try rankBytesRead($0, size: 4, backend: .mmap, direct: .automatic) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-tp2-direct", title: "load: rank 0 of 2, --copy --direct, cold: bytes read",
                  run: { try rankBytesRead($0, size: 2, backend: .mmap, direct: .always) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-tp4-direct", title: "load: rank 0 of 4, --copy --direct, cold: bytes read",
                  run: { try rankBytesRead($0, size: 4, backend: .mmap, direct: .always) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "load-cold-direct", title: "load: --pread --direct, cold", limit: "cold-cat",
                  run: { try load($0, directPread) }, setUp: { try evictOrFail($0.shards) }),
        BenchCase(name: "inspect-100k", title: "inspect: headers of 100,000 tensors", run: { context in
            let opened = try OpenedCheckpoint.open(Checkpoint.resolve(context.headerOnlyCheckpoint))
            return opened.shards.reduce(0) { $0 + $1.header.headerLength }
        }),
        BenchCase(name: "process-load", title: "whole process: pretrained load", run: { context in
            let status = try spawnAndWait([context.cliPath, "load", context.checkpoint.directory, "--json"])
            guard status == 0 else { throw BenchError("pretrained load exited \(status)") }
            return context.plainBytes
        }),
    ] + dequantization

    /// Per quantized format: the limit (mmap + memcpy of the packed checkpoint into fresh memory)
    /// and `--dequantize` to bf16, whose bytes are the dequantized output.
    static let dequantization: [BenchCase] = QuantizedBenchCheckpoint.Format.allCases.flatMap { format in [
        BenchCase(name: "memcpy-\(format.rawValue)", title: "limit: mmap + memcpy of the \(format.rawValue) checkpoint (packed bytes)",
                  run: { try Kernels.mmapMemcpy(QuantizedBenchCheckpoint(format: format, cache: $0.cache).shardPaths()) }),
        BenchCase(name: "dequant-\(format.rawValue)", title: "load: --dequantize \(format.rawValue) to bf16 (output bytes)",
                  limit: "memcpy-\(format.rawValue)", run: { context in
            let checkpoint = QuantizedBenchCheckpoint(format: format, cache: context.cache)
            var options = LoadOptions()
            options.dequantize = true
            let model = try Pretrained.load(pretrained: checkpoint.directory, options: options)
            context.keepAlive(model)
            return try checkpoint.dequantizedBytes()
        }),
    ] }

    static let serialShards: LoadOptions = {
        var options = LoadOptions()
        options.parallel = false
        return options
    }()

    static let bufferedCopy: LoadOptions = {
        var options = LoadOptions(copy: true)
        options.directIO = .never
        return options
    }()

    static let directPread: LoadOptions = {
        var options = LoadOptions(backend: .pread)
        options.directIO = .always
        return options
    }()

    static let prefetched: LoadOptions = {
        var options = LoadOptions()
        options.prefetch = true
        return options
    }()

    static func load(_ context: BenchContext, _ options: LoadOptions, variant: String? = nil,
                     waitForPrefetch: Bool = false) throws -> Int {
        let directory = variant.map { context.checkpoint.directory + "-" + $0 } ?? context.checkpoint.directory
        let model = try Pretrained.load(pretrained: directory, options: options)
        if waitForPrefetch { model.prefetch?.wait() }
        context.keepAlive(model)
        return model.parameters.reduce(0) { $0 + ($1.dtype == .f32 ? $1.byteCount / 2 : $1.byteCount) }
    }

    /// As `pretrained load --checksums`: a zero-copy load with a prefetch, every tensor hashed on
    /// all cores in parameter order.
    static func loadAndHash(_ context: BenchContext) throws -> Int {
        let model = try Pretrained.load(pretrained: context.checkpoint.directory, options: prefetched)
        let sums = Parallel.map(model.parameters.count) { model.parameters[$0].sha256() }
        model.prefetch?.wait()
        context.keepAlive((model, sums))
        return model.parameters.reduce(0) { $0 + $1.byteCount }
    }

    /// `cat SHARDS > /dev/null` with the system's `cat`.
    static func stockCat(_ shards: [String]) throws -> Int {
        let status = try spawnAndWait(["/bin/cat"] + shards)
        guard status == 0 else { throw BenchError("cat exited \(status)") }
        return try shards.reduce(0) { $0 + (try fileSize($1)) }
    }

    /// Loads rank 0 of `size` into owned memory from a cold page cache and returns the bytes the
    /// load made the kernel read from the device (`read_bytes` of `/proc/self/io`: page-cache
    /// misses, read-ahead and direct reads alike), printed beside issue 16's bound (1.1 x the
    /// rank's sliced bytes plus its replicated bytes) and the checkpoint's resident bytes
    /// afterwards (`mincore`; direct reads leave none).
    static func rankBytesRead(_ context: BenchContext, size: Int, backend: ReadBackend, direct: DirectIO = .never) throws -> Int {
        var options = LoadOptions(copy: true, backend: backend)
        options.tensorParallel = try TensorParallelRank(rank: 0, size: size)
        options.directIO = direct
        let before = try deviceBytesRead()
        let model = try Pretrained.load(pretrained: context.checkpoint.directory, options: options)
        let read = try deviceBytesRead() - before
        context.keepAlive(model)
        let slices = model.tensorParallel?.slices ?? [:]
        var sliced = 0, replicated = 0
        var seen = Set<ObjectIdentifier>()
        for tensor in model.parameters where seen.insert(ObjectIdentifier(tensor.storage)).inserted {
            if slices[tensor.name] != nil { sliced += tensor.byteCount } else { replicated += tensor.byteCount }
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let resident = try context.shards.reduce(0) { $0 + (try Kernels.residency($1).0) * page }
        let bound = Int(1.1 * Double(sliced)) + replicated
        let verdict = read <= bound ? "within" : "OVER"
        FileHandle.standardError.write(Data(("rank 0 of \(size) (\(backend == .mmap ? "copy" : "pread"), direct \(direct)): read \(read) "
            + "bytes from the device, \(verdict) the bound \(bound) (sliced \(sliced), replicated \(replicated)); resident "
            + "afterwards \(resident); checkpoint \(context.plainBytes)\n").utf8))
        return read
    }

    /// The bytes this process has made the kernel read from storage so far (`read_bytes` in
    /// `/proc/self/io`).
    static func deviceBytesRead() throws -> Int {
        let text = try String(contentsOfFile: "/proc/self/io", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("read_bytes:") }),
              let value = Int(line.dropFirst("read_bytes:".count).trimmingCharacters(in: .whitespaces)) else {
            throw BenchError("no read_bytes in /proc/self/io")
        }
        return value
    }

    /// Runs a program with `posix_spawn` (no shell, output to /dev/null) and returns its exit
    /// status: the cheapest way to start a process, so the figure is the program's own.
    static func spawnAndWait(_ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else {
            throw BenchError("cannot start \(arguments[0])")
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (status >> 8) & 0xFF
    }

    /// Reads a compressed variant's files through the page cache (the setUp of its warm cases).
    static func warm(_ context: BenchContext, _ variant: String) throws {
        _ = try Kernels.readThrough(context.files(variant))
    }

    static func evictOrFail(_ shards: [String]) throws {
        let resident = try Kernels.evict(shards)
        if resident > 0.01 { throw BenchError("eviction left \(Int(resident * 100))% of the pages resident") }
    }

    static func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// A checkpoint of 100,000 tiny tensors, for header parsing (created once).
    static func prepareHeaderOnlyCheckpoint(in directory: String) throws -> String {
        let path = directory + "/headers-100k.safetensors"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let storage = TensorStorage(uninitializedByteCount: 0)
        let tensors = try (0..<100_000).map { i in
            try Tensor(name: "model.layers.\(i / 100).block.\(i % 100).weight", dtype: .f32, shape: [0], storage: storage)
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: path)
        return path
    }
}
