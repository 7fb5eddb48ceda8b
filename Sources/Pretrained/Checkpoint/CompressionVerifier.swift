#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks that a compressed shard decodes to exactly the bytes of the plain file it was made
/// from, by decoding it through a bounded window and comparing as it goes.
enum CompressionVerifier {
    /// Decodes `compressed` and compares its header and every tensor byte with the plain file at
    /// `original`.
    ///
    /// - Throws: `.verificationFailed` naming `compressed` and the first difference, or any error
    ///   reading either file.
    static func verify(_ compressed: String, against original: String, threads: Int?) throws(PretrainedError) {
        let reader = try CompressedShardReader(path: compressed)
        let header = reader.header
        let expected = try SafetensorsFile.readHeader(path: original)
        guard header.headerLength == expected.headerLength, header.tensors == expected.tensors,
            header.metadata == expected.metadata
        else {
            throw .verificationFailed(file: compressed, reason: "the decoded header differs from the original's")
        }
        let mapped = try MappedFile(path: original)
        try reader.read(
            into: ComparingSink(original: mapped, dataStart: header.dataStart, file: compressed), threads: threads)
    }
}

/// A sink that compares each decoded chunk with the original file's bytes.
private struct ComparingSink: TensorSink {
    let original: MappedFile
    let dataStart: Int
    let file: String

    func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination { .chunks }

    func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
        let start = dataStart + info.dataOffsets.lowerBound + offset
        let expected = UnsafeRawBufferPointer(
            rebasing: UnsafeRawBufferPointer(original.bytes)[start..<(start + chunk.count)])
        guard let left = chunk.baseAddress, let right = expected.baseAddress, memcmp(left, right, chunk.count) != 0
        else {
            return
        }
        let index = chunk.indices.first { chunk[$0] != expected[$0] } ?? 0
        throw .verificationFailed(file: file, reason: "tensor '\(info.name)' differs at byte \(offset + index)")
    }
}
