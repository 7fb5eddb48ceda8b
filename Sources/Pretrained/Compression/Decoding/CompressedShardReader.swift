/// A compressed shard (`NAME.safetensors.zst`, `.zstd` or `.lz4`): its frames, its validated
/// header, and streaming access to its tensor data.
///
/// Opening reads only the frame layout and the decoded header; `tensors()` (and, inside the
/// package, a load's reading stage) then decodes the data in one pass straight into its
/// destinations, concurrently when the shard has several frames. No decompressed copy of the
/// shard is ever held: besides the header and the destinations, memory use is a 1 MiB window and
/// the codec's state per decoding thread.
///
/// ```swift
/// let reader = try CompressedShardReader(path: "model.safetensors.zst")
/// for info in reader.header.tensors { print(info.name, info.shape) }
/// let tensors = try reader.tensors()
/// ```
public final class CompressedShardReader: Sendable {
    /// The path of the compressed file, used in errors.
    public let path: String
    /// The codec of the file.
    public let compression: ShardCompression
    /// The data frames, in file order (skippable frames left out).
    package let frames: [CompressedFrame]
    /// The validated header of the decoded safetensors file.
    public let header: SafetensorsHeader
    let file: MappedFile

    /// The size of the compressed file in bytes.
    public var fileSize: Int { file.bytes.count }

    /// The size of the decoded safetensors file: length prefix, header and data.
    public var decodedSize: Int { header.dataStart + header.dataLength }

    /// Opens `path`, finds its frames and decodes and validates its header.
    ///
    /// The header is checked by the rules of plain files (`SafetensorsHeader.parse`). When every
    /// frame declares its content size, the data-size rule is checked against their sum at once;
    /// otherwise `read` checks it against the bytes actually decoded.
    ///
    /// - Parameters:
    ///   - path: the compressed file.
    ///   - compression: its codec; by default from the file name's extension, else from its
    ///     first bytes.
    /// - Throws: `.notCompressedAs`, frame errors (`.truncatedFrame`, `.trailingGarbage`,
    ///   `.corruptFrame`, `.frameChecksumMismatch`, `.frameSizeMismatch`), every header error of
    ///   plain files, and `.implausibleDecodedSize`; each names `path`.
    public init(path: String, compression: ShardCompression? = nil) throws(PretrainedError) {
        let file = try MappedFile(path: path)
        let bytes = UnsafeRawBufferPointer(file.bytes)
        let codec = compression ?? CompressedShardReader.detect(path: path, bytes: bytes)
        guard codec != .none else {
            throw .notCompressedAs(file: path, compression: .none, found: FrameScanner.hex(bytes.prefix(4)))
        }
        let frames = try FrameScanner.frames(
            in: FrameReader(descriptor: file.descriptor, size: bytes.count),
            compression: codec, file: path)
        self.path = path
        self.compression = codec
        self.frames = frames
        self.file = file
        self.header = try CompressedShardReader.decodeHeader(file, frames: frames, compression: codec)
        let limit = codec.maximumRatio.multipliedReportingOverflow(by: bytes.count)
        if !limit.overflow && decodedSize > limit.partialValue + (1 << 20) {
            throw .implausibleDecodedSize(
                file: path, compression: codec, declared: decodedSize, compressedBytes: bytes.count)
        }
    }

    /// The compression the name announces, else the one whose magic number starts `bytes`.
    private static func detect(path: String, bytes: UnsafeRawBufferPointer) -> ShardCompression {
        let named = ShardCompression(fileName: path)
        guard named == .none, bytes.count >= 4 else { return named }
        let magic = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
        return ShardCompression.allCases.first { $0.frameMagic == magic } ?? .none
    }

    /// The sum of the frames' declared content sizes, when every frame declares one.
    static func declaredSize(of frames: [CompressedFrame]) -> Int? {
        var total = 0
        for frame in frames {
            guard let size = frame.contentSize else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(size)
            guard !overflow else { return nil }
            total = sum
        }
        return total
    }

    /// Decodes the length prefix and the header from the first frames and validates them.
    private static func decodeHeader(
        _ file: MappedFile, frames: [CompressedFrame], compression: ShardCompression
    ) throws(PretrainedError) -> SafetensorsHeader {
        let path = file.path
        var stream = DecodeStream(file, frames: frames[...], decoder: try FrameDecoder(compression, file: path))
        let total = declaredSize(of: frames)
        var prefix: UInt64 = 0
        let length = try withBytes(of: &prefix) { (buffer) throws(PretrainedError) -> Int in
            let got = try stream.read(into: buffer)
            guard got == 8 else { throw .fileTooSmall(file: path, size: got) }
            return try SafetensorsHeader.headerLength(
                prefix: UnsafeRawBufferPointer(buffer), fileSize: total ?? Int.max, file: path)
        }
        // Grow the header buffer (doubling) as bytes arrive, so a length the stream does not back
        // costs nothing.
        var json = try OwnedBytes(count: min(length, 1 << 16), file: path, purpose: "the header")
        var filled = 0
        while filled < length {
            if filled == json.bytes.count {
                let grown = try OwnedBytes(count: min(length, 2 * filled), file: path, purpose: "the header")
                grown.bytes.copyMemory(from: json.readOnly)
                json = grown
            }
            let got = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: json.bytes[filled...]))
            guard got == json.bytes.count - filled else {
                throw .headerBeyondFile(file: path, length: UInt64(length), fileSize: 8 + filled + got)
            }
            filled += got
        }
        let buffer = json.readOnly
        if let total { return try SafetensorsHeader.parse(json: buffer, fileSize: total, file: path) }
        // The decoded size is not known before the data is decoded: parse against an impossible
        // size, then again against the size the header itself accounts for; `read` checks it
        // against the decoded bytes.
        do throws(PretrainedError) {
            return try SafetensorsHeader.parse(json: buffer, fileSize: Int.max, file: path)
        } catch .dataSizeMismatch(_, let expected, _) {
            return try SafetensorsHeader.parse(json: buffer, fileSize: 8 + buffer.count + expected, file: path)
        }
    }
}
