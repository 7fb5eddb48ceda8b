/// The extent of one lz4 frame (or skippable frame), read from its header and block headers as
/// the lz4 frame format (v1.6.x) lays them out, the header checksum checked. Block contents are
/// not looked at; the decoder checks them, and checks that the frame ends where this says.
enum LZ4FrameLayout {
    /// The frame starting at `offset`.
    ///
    /// - Throws: `.truncatedFrame` when the file ends inside the frame, `.corruptFrame` for a
    ///   header this format does not allow, `.frameChecksumMismatch` when the header checksum is
    ///   wrong.
    static func frame(
        at offset: Int, in reader: FrameReader, file: String
    ) throws(PretrainedError) -> CompressedFrame {
        func integer(_ count: Int, at position: Int) throws(PretrainedError) -> Int {
            try reader.integer(count, at: position, inFrameAt: offset, file: file)
        }
        let magic = UInt32(try integer(4, at: offset))
        if let skippable = try reader.skippableFrame(magic: magic, at: offset, file: file) { return skippable }
        let flags = try integer(1, at: offset + 4)
        guard flags >> 6 == 1 else {
            throw .corruptFrame(file: file, offset: offset, reason: "unsupported lz4 frame version \(flags >> 6)")
        }
        let blockChecksums = flags & 0x10 != 0
        let hasContentSize = flags & 0x08 != 0
        let contentChecksum = flags & 0x04 != 0
        let descriptorSize = 2 + (hasContentSize ? 8 : 0) + (flags & 0x01 != 0 ? 4 : 0)
        guard let descriptor = try reader.bytes(descriptorSize + 1, at: offset + 4) else {
            throw .truncatedFrame(file: file, offset: offset)
        }
        // The checksum byte covers the descriptor: check it before trusting the content size.
        let checksum = descriptor[..<descriptorSize].withUnsafeBytes { XXH32.hash($0) }
        guard descriptor[descriptorSize] == UInt8(truncatingIfNeeded: checksum >> 8) else {
            throw .frameChecksumMismatch(file: file, offset: offset)
        }
        var contentSize: Int?
        if hasContentSize {
            let stored = descriptor[2..<10].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard let size = Int(exactly: stored) else {
                throw .corruptFrame(
                    file: file, offset: offset, reason: "the declared content size \(stored) is too large")
            }
            contentSize = size
        }
        var position = offset + 4 + descriptorSize + 1
        while true {
            let word = try integer(4, at: position)
            position += 4
            if word == 0 { break }  // EndMark
            position += word & 0x7FFF_FFFF + (blockChecksums ? 4 : 0)
        }
        if contentChecksum { position += 4 }
        guard position <= reader.size else { throw .truncatedFrame(file: file, offset: offset) }
        return CompressedFrame(range: offset..<position, contentSize: contentSize)
    }
}
