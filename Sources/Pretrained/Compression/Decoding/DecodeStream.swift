/// Decodes consecutive data frames of a mapped compressed file as one stream of bytes, checking
/// each frame as it ends: it must end exactly at the extent the scanner found, and decode to the
/// size it declares, if it declares one.
///
/// Consumed input pages are released from the mapping as decoding moves on, so the process keeps
/// only a bounded part of the compressed file resident.
struct DecodeStream {
    /// How many consumed input bytes to accumulate before releasing their pages.
    static let releaseStride = 2 << 20

    private let file: MappedFile
    private let bytes: UnsafeRawBufferPointer
    private let frames: ArraySlice<CompressedFrame>
    private let decoder: FrameDecoder
    private var frameIndex: Int
    private var position: Int
    private var released: Int
    private var producedInFrame = 0

    /// A stream over `frames` of `file`, decoded by `decoder`, which must be at a frame boundary.
    init(_ file: MappedFile, frames: ArraySlice<CompressedFrame>, decoder: FrameDecoder) {
        self.file = file
        self.bytes = UnsafeRawBufferPointer(file.bytes)
        self.frames = frames
        self.decoder = decoder
        self.frameIndex = frames.startIndex
        self.position = frames.first?.range.lowerBound ?? 0
        self.released = position
    }

    /// Fills `buffer` with the next decoded bytes.
    ///
    /// - Returns: the number of bytes written, fewer than `buffer.count` only when the last frame
    ///   has ended.
    /// - Throws: `.corruptFrame`, `.frameChecksumMismatch`, `.truncatedFrame`, `.frameSizeMismatch`,
    ///   each naming the frame's offset in the file.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(PretrainedError) -> Int {
        var filled = 0
        while filled < buffer.count, frameIndex < frames.endIndex {
            let frame = frames[frameIndex]
            let input = UnsafeRawBufferPointer(rebasing: bytes[position..<frame.range.upperBound])
            let step: DecodeStep
            do {
                step = try decoder.decode(input, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            } catch {
                throw error.pretrained(file: file.path, frame: frame)
            }
            position += step.consumed
            filled += step.produced
            producedInFrame += step.produced
            if let declared = frame.contentSize, producedInFrame > declared {
                throw .frameSizeMismatch(
                    file: file.path, offset: frame.range.lowerBound, declared: declared, actual: nil)
            }
            if step.frameEnded {
                try finish(frame)
            } else if step.consumed == 0 && step.produced == 0 {
                if position == frame.range.upperBound {
                    throw .truncatedFrame(file: file.path, offset: frame.range.lowerBound)
                }
                throw .corruptFrame(
                    file: file.path, offset: frame.range.lowerBound, reason: "the decoder stopped making progress")
            }
            if position - released >= DecodeStream.releaseStride { release(upTo: position) }
        }
        return filled
    }

    /// Whether the stream has ended: decodes at most one more byte, for the frames' checksums and
    /// final checks, and reports whether there was none.
    mutating func isAtEnd() throws(PretrainedError) -> Bool {
        var byte: UInt8 = 0
        return try withBytes(of: &byte) { (buffer) throws(PretrainedError) in try read(into: buffer) == 0 }
    }

    private mutating func finish(_ frame: CompressedFrame) throws(PretrainedError) {
        guard position == frame.range.upperBound else {
            let consumed = position - frame.range.lowerBound
            throw .corruptFrame(
                file: file.path, offset: frame.range.lowerBound,
                reason: "the frame ends after \(consumed) of its \(frame.range.count) bytes")
        }
        if let declared = frame.contentSize, producedInFrame != declared {
            throw .frameSizeMismatch(
                file: file.path, offset: frame.range.lowerBound, declared: declared, actual: producedInFrame)
        }
        release(upTo: position)
        frameIndex += 1
        producedInFrame = 0
        if frameIndex < frames.endIndex {
            position = frames[frameIndex].range.lowerBound
            released = position
        }
    }

    /// Releases the mapping's whole pages in `released..<end` (they are re-read from the file if
    /// touched again).
    private mutating func release(upTo end: Int) {
        let start = (released + pageSize - 1) / pageSize * pageSize
        let alignedEnd = end / pageSize * pageSize
        if alignedEnd > start { file.advise(.dontNeed, range: start..<alignedEnd) }
        released = end
    }
}

extension CodecFailure {
    /// The error for this failure in `frame` of `file`.
    func pretrained(file: String, frame: CompressedFrame) -> PretrainedError {
        let offset = frame.range.lowerBound
        switch kind {
        case .checksum: return .frameChecksumMismatch(file: file, offset: offset)
        case .truncated: return .truncatedFrame(file: file, offset: offset)
        case .frameSize:
            return .frameSizeMismatch(file: file, offset: offset, declared: frame.contentSize ?? 0, actual: nil)
        case .other: return .corruptFrame(file: file, offset: offset, reason: name)
        }
    }
}
