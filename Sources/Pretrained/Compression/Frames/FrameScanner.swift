/// Finds the frames of a compressed file without decoding them: each frame's extent from its
/// header and block headers (read with `pread`, not through the mapping), and its declared
/// content size.
enum FrameScanner {
    /// The data frames of the file behind `reader`, in order; skippable frames are passed over.
    ///
    /// - Throws: `.notCompressedAs` when the file does not start with a frame of `compression`,
    ///   `.truncatedFrame` when it ends inside a frame (or its magic number), `.trailingGarbage`
    ///   for bytes after the last frame that start no frame, `.corruptFrame` or
    ///   `.frameChecksumMismatch` for a malformed frame header.
    static func frames(
        in reader: FrameReader, compression: ShardCompression, file: String
    ) throws(PretrainedError) -> [CompressedFrame] {
        guard let dataMagic = compression.frameMagic else { return [] }
        guard reader.size > 0 else {
            throw .notCompressedAs(file: file, compression: compression, found: "no bytes")
        }
        var frames: [CompressedFrame] = []
        var offset = 0
        while offset < reader.size {
            let available = min(4, reader.size - offset)
            let head = try reader.bytes(available, at: offset) ?? []
            let magic = head.count == 4 ? head.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : nil
            guard let magic, magic == dataMagic || ShardCompression.isSkippableMagic(magic) else {
                // A stream cut inside the magic number of its next frame is truncated.
                let prefixes = [dataMagic, 0x184D_2A50].map {
                    withUnsafeBytes(of: $0.littleEndian) { Array($0.prefix(head.count)) }
                }
                if head.count < 4 && prefixes.contains(head) { throw .truncatedFrame(file: file, offset: offset) }
                if offset == 0 { throw .notCompressedAs(file: file, compression: compression, found: hex(head)) }
                throw .trailingGarbage(file: file, offset: offset, count: reader.size - offset)
            }
            let frame =
                compression == .zstd
                ? try ZstdFrameLayout.frame(at: offset, in: reader, file: file)
                : try LZ4FrameLayout.frame(at: offset, in: reader, file: file)
            if !ShardCompression.isSkippableMagic(magic) { frames.append(frame) }
            offset = frame.range.upperBound
        }
        return frames
    }

    /// `bytes` in hex, for messages.
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        bytes.isEmpty
            ? "no bytes"
            : bytes.map { byte in
                let digits = String(byte, radix: 16)
                return byte < 16 ? "0" + digits : digits
            }.joined(separator: " ")
    }
}
