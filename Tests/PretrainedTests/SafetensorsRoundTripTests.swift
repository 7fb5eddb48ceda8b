import Foundation
import Testing
@testable import Pretrained

@Suite struct SafetensorsRoundTripTests {
    /// For every dtype: a regular tensor, a zero-sized one and (where whole bytes) a 0-rank scalar.
    func tensorsOfEveryDType() throws -> [Tensor] {
        var seed: UInt64 = 42
        var tensors: [Tensor] = []
        for dtype in DType.allCases {
            // Even element counts keep the sub-byte dtypes (4 and 6 bits) on byte boundaries.
            let shape = dtype.bitSize < 8 ? [3, 4] : [2, 3]
            tensors.append(try .random("\(dtype.rawValue).matrix", dtype, shape, seed: &seed))
            tensors.append(try .random("\(dtype.rawValue).empty", dtype, [0, 4], seed: &seed))
            if dtype.bitSize % 8 == 0 {
                tensors.append(try .random("\(dtype.rawValue).scalar", dtype, [], seed: &seed))
            }
        }
        return tensors
    }

    @Test(arguments: ReadBackend.allCases)
    func everyDTypeRoundTripsByteExact(backend: ReadBackend) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("all.safetensors")
        let tensors = try tensorsOfEveryDType()
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt", "note": "round trip"], to: path)

        let file = try SafetensorsFile(path: path, backend: backend)
        #expect(file.metadata == ["format": "pt", "note": "round trip"])
        #expect(file.header.tensors.count == tensors.count)
        for original in tensors {
            let loaded = try file.tensor(named: original.name)
            #expect(loaded.dtype == original.dtype)
            #expect(loaded.shape == original.shape)
            #expect(loaded.bytes == original.bytes, "bytes of \(original.name)")
            #expect(loaded.storage.isMapped == (backend == .mmap))
        }
    }

    @Test func headerIsPaddedToEightBytesAndTensorsAreAlignedToTheirElementSize() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("aligned.safetensors")
        try SafetensorsWriter.write(try tensorsOfEveryDType(), to: path)
        let header = try SafetensorsFile.readHeader(path: path)
        #expect(header.headerLength % 8 == 0)
        for info in header.tensors where info.dtype.bitSize >= 8 {
            #expect(info.dataOffsets.lowerBound % (info.dtype.bitSize / 8) == 0, "\(info.name)")
        }
    }

    @Test func metadataIsOmittedWhenNil() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("plain.safetensors")
        var seed: UInt64 = 1
        try SafetensorsWriter.write([try .random("a", .f32, [2], seed: &seed)], to: path)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let text = String(decoding: bytes[8...], as: UTF8.self)
        #expect(!text.contains("__metadata__"))
        #expect(try SafetensorsFile(path: path).metadata.isEmpty)
    }

    @Test func duplicateNamesAreRefused() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 1
        let a = try Tensor.random("same", .f32, [2], seed: &seed)
        let b = try Tensor.random("same", .f16, [2], seed: &seed)
        #expect(throws: PretrainedError.invalidTensorData(tensor: "same", reason: "appears more than once in the tensors to write")) {
            try SafetensorsWriter.write([a, b], to: directory.file("dup.safetensors"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("dup.safetensors")))
    }

    @Test func writingIsAtomicAndLeavesNoTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("model.safetensors")
        var seed: UInt64 = 3
        try SafetensorsWriter.write([try .random("x", .f32, [4], seed: &seed)], to: path)
        try SafetensorsWriter.write([try .random("y", .f32, [8], seed: &seed)], to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        #expect(try SafetensorsFile(path: path).header.tensors.map(\.name) == ["y"])
    }

    @Test func typedAccessMatchesTheBytes() throws {
        let values: [Float] = [1.5, -2.25, 0, 3.0e-5]
        let tensor = try values.withUnsafeBytes { try Tensor(name: "t", dtype: .f32, shape: [4], copying: $0) }
        #expect(try tensor.scalars(as: Float.self) == values)
        #expect(try tensor.floats() == values)
        #expect(throws: PretrainedError.self) { try tensor.scalars(as: Int32.self) }

        let bf16 = try Tensor(name: "b", dtype: .bf16, shape: [2], bytes: [0xC0, 0x3F, 0x00, 0xC0])  // 1.5, -2
        #expect(try bf16.floats() == [1.5, -2])
        let f16 = try Tensor(name: "h", dtype: .f16, shape: [3], bytes: [0x00, 0x3E, 0x01, 0x00, 0x00, 0xFC])
        #expect(try f16.floats() == [1.5, 0x1p-24, -.infinity])
        let flags = try Tensor(name: "m", dtype: .bool, shape: [3], bytes: [1, 0, 1])
        #expect(try flags.bools() == [true, false, true])
    }

    @Test func tensorSizeMustMatchDTypeAndShape() {
        #expect(throws: PretrainedError.self) { try Tensor(name: "t", dtype: .f32, shape: [3], bytes: [0, 0, 0, 0]) }
        #expect(throws: PretrainedError.self) { try Tensor(name: "t", dtype: .f4, shape: [3], bytes: [0, 0]) }
    }
}
