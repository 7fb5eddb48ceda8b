/// Small reads at any offset of a compressed file through `pread`, for finding its frames:
/// frame and block headers are read without touching the file's mapping, so locating the frames
/// of a large file does not make the process resident in it.
struct FrameReader {
    let descriptor: FileDescriptor
    /// The size of the file.
    let size: Int

    /// The `count` bytes at `offset`, or `nil` when the file ends before them.
    func bytes(_ count: Int, at offset: Int) throws(PretrainedError) -> [UInt8]? {
        guard offset >= 0, count <= size - offset else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withMutableBytes { (buffer) throws(PretrainedError) in
            try descriptor.read(into: buffer, at: offset)
        }
        return bytes
    }

    /// The little-endian integer of `count` bytes (at most 8) at `offset`, or `nil` past the end.
    func integer(_ count: Int, at offset: Int) throws(PretrainedError) -> UInt64? {
        guard let bytes = try bytes(count, at: offset) else { return nil }
        return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The little-endian integer of `count` bytes at `position`, inside the frame that starts at
    /// `frame`: the file ending first is `.truncatedFrame` for that frame.
    func integer(_ count: Int, at position: Int, inFrameAt frame: Int, file: String) throws(PretrainedError) -> Int {
        guard let value = try integer(count, at: position) else { throw .truncatedFrame(file: file, offset: frame) }
        return Int(truncatingIfNeeded: value)
    }

    /// The skippable frame (zstd and lz4 share its layout: magic, 4-byte length, payload) at
    /// `offset`, or `nil` when `magic` is not a skippable magic number.
    func skippableFrame(magic: UInt32, at offset: Int, file: String) throws(PretrainedError) -> CompressedFrame? {
        guard ShardCompression.isSkippableMagic(magic) else { return nil }
        let end = offset + 8 + (try integer(4, at: offset + 4, inFrameAt: offset, file: file))
        guard end <= size else { throw .truncatedFrame(file: file, offset: offset) }
        return CompressedFrame(range: offset..<end, contentSize: nil)
    }
}
