/// The extent of one zstd frame (or skippable frame), read from its header and block headers as
/// the zstd format (RFC 8878) lays them out. Block contents are not looked at; the decoder checks
/// them, and checks that the frame ends where this says.
enum ZstdFrameLayout {
    /// The frame starting at `offset`.
    ///
    /// - Throws: `.truncatedFrame` when the file ends inside the frame, `.corruptFrame` for a
    ///   header or block type the format does not allow.
    static func frame(
        at offset: Int, in reader: FrameReader, file: String
    ) throws(PretrainedError) -> CompressedFrame {
        func integer(_ count: Int, at position: Int) throws(PretrainedError) -> Int {
            try reader.integer(count, at: position, inFrameAt: offset, file: file)
        }
        let magic = UInt32(try integer(4, at: offset))
        if let skippable = try reader.skippableFrame(magic: magic, at: offset, file: file) { return skippable }
        let descriptor = try integer(1, at: offset + 4)
        guard descriptor & 0x08 == 0 else {
            throw .corruptFrame(file: file, offset: offset, reason: "the frame header's reserved bit is set")
        }
        let sizeFlag = descriptor >> 6
        let singleSegment = descriptor & 0x20 != 0
        let contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]
        let contentSizeAt = offset + 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]
        var contentSize: Int?
        if contentSizeBytes > 0 {
            let stored = try reader.integer(contentSizeBytes, at: contentSizeAt)
            guard let stored else { throw .truncatedFrame(file: file, offset: offset) }
            guard let size = Int(exactly: stored) else {
                throw .corruptFrame(
                    file: file, offset: offset, reason: "the declared content size \(stored) is too large")
            }
            contentSize = contentSizeBytes == 2 ? size + 256 : size
        }
        var position = contentSizeAt + contentSizeBytes
        while true {
            let header = try integer(3, at: position)
            let size = header >> 3
            position += 3
            switch header >> 1 & 3 {
            case 0, 2: position += size  // raw, compressed
            case 1: position += 1  // RLE
            default: throw .corruptFrame(file: file, offset: offset, reason: "a block has the reserved type")
            }
            if header & 1 == 1 { break }
        }
        if descriptor & 0x04 != 0 { position += 4 }  // content checksum
        guard position <= reader.size else { throw .truncatedFrame(file: file, offset: offset) }
        return CompressedFrame(range: offset..<position, contentSize: contentSize)
    }
}
