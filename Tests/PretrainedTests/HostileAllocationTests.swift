import Foundation
import Testing

@testable import Pretrained

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every allocation a file sizes is failable (SECURITY.md row 93): a header, a tensor read with
/// `.pread` or decoded from a compressed shard, a config or an index larger than the memory left
/// is a typed error naming the file (or the tensor), never an abort. Each case runs in a child
/// process whose address space is limited to what it maps plus a margin, after its files exist.
/// Exit-test bodies cannot use `Self`: the suite's helpers by a short name.
private typealias H = HostileAllocationTests

@Suite struct HostileAllocationTests {
    /// What the child may still map: far less than any of the allocations below.
    static let margin = 48 << 20

    /// Limits this (child) process's address space to what it maps now plus `margin`, runs
    /// `body`, removes `directory` and exits: 0 when `body` returned `nil`, else 1 after printing
    /// what it returned.
    static func exitUnderLimit(removing directory: TemporaryDirectory, _ body: () -> String?) -> Never {
        limitAddressSpace(toCurrentPlus: margin)
        let failure = body()
        try? FileManager.default.removeItem(atPath: directory.path)
        if let failure { print(failure) }
        exit(failure == nil ? 0 : 1)
    }

    /// `nil` when `action` throws exactly `expected`, else what happened instead.
    static func failure(expecting expected: PretrainedError, _ action: () throws(PretrainedError) -> Void) -> String? {
        do throws(PretrainedError) {
            try action()
            return "no error; expected \(expected)"
        } catch {
            return error == expected ? nil : "\(error); expected \(expected)"
        }
    }

    /// A sparse file of `size` bytes starting with `prefix` (no disk, no memory).
    static func sparseFile(_ path: String, prefix: [UInt8], size: Int) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(prefix)))
        #expect(truncate(path, off_t(size)) == 0)
    }

    /// A shard holding one U8 tensor `big` of `count` bytes (sparse: zeros).
    static func bigShard(_ path: String, count: Int) throws {
        var header = Array(#"{"big":{"dtype":"U8","shape":[\#(count)],"data_offsets":[0,\#(count)]}}"#.utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        let prefix = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        try H.sparseFile(path, prefix: prefix, size: prefix.count + count)
    }

    /// A header length of 96 MB (under the 100 MB cap) that the file backs, read with `pread`.
    @Test func aHeaderLargerThanTheMemoryLeftIsATypedError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let directory = try TemporaryDirectory()
            let path = directory.file("model.safetensors")
            let length = 96_000_000
            try H.sparseFile(path, prefix: withUnsafeBytes(of: UInt64(length).littleEndian) { Array($0) }, size: 8 + length + 8)
            H.exitUnderLimit(removing: directory) {
                H.failure(expecting: .io(file: path, operation: "allocating \(length) bytes for the header", errno: ENOMEM)) {
                    () throws(PretrainedError) in _ = try SafetensorsFile.readHeader(path: path)
                }
            }
        }
        Self.show(result)
    }

    /// A 512 MiB tensor read with `.pread` (the file opens; its tensor's copy cannot be had).
    @Test func aPreadTensorLargerThanTheMemoryLeftIsATypedError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let directory = try TemporaryDirectory()
            let path = directory.file("model.safetensors")
            try H.bigShard(path, count: 512 << 20)
            H.exitUnderLimit(removing: directory) {
                H.failure(expecting: .allocationFailed(tensor: "big", bytes: 512 << 20)) { () throws(PretrainedError) in
                    _ = try SafetensorsFile(path: path, backend: .pread).tensor(named: "big")
                }
            }
        }
        Self.show(result)
    }

    /// A 128 MiB tensor decoded from a zstd shard of a few kilobytes into owned memory.
    @Test func aDecodedTensorLargerThanTheMemoryLeftIsATypedError() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let directory = try TemporaryDirectory()
            let plain = directory.file("model.safetensors")
            try H.bigShard(plain, count: 128 << 20)
            let path = try CompressionSamples.compress(plain, .zstd, level: 1, frameSize: 64 << 20)
            try FileManager.default.removeItem(atPath: plain)
            H.exitUnderLimit(removing: directory) {
                H.failure(expecting: .allocationFailed(tensor: "big", bytes: 128 << 20)) { () throws(PretrainedError) in
                    _ = try CompressedShardReader(path: path).tensors(threads: 1)
                }
            }
        }
        Self.show(result)
    }

    /// A 200 MB `config.json` and a 200 MB index (under the 256 MiB cap for JSON side files).
    @Test func sideFilesLargerThanTheMemoryLeftAreTypedErrors() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let directory = try TemporaryDirectory()
            let config = directory.file("config.json")
            let index = directory.file("model.safetensors.index.json")
            let size = 200_000_000
            try H.sparseFile(config, prefix: Array("{".utf8), size: size)
            try H.sparseFile(index, prefix: Array("{".utf8), size: size)
            H.exitUnderLimit(removing: directory) {
                let operation = "allocating \(size) bytes for its contents"
                return H.failure(expecting: .io(file: config, operation: operation, errno: ENOMEM)) {
                    () throws(PretrainedError) in _ = try ModelConfig.read(path: config)
                } ?? H.failure(expecting: .io(file: index, operation: operation, errno: ENOMEM)) {
                    () throws(PretrainedError) in _ = try CheckpointIndex.read(path: index)
                }
            }
        }
        Self.show(result)
    }

    /// Prints what a failed child said.
    static func show(_ result: ExitTest.Result?) {
        guard let result, result.exitStatus != .exitCode(0) else { return }
        print(String(decoding: result.standardOutputContent, as: UTF8.self))
    }
}
