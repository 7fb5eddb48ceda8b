/// Where the decoded bytes of one tensor go.
package enum TensorDestination {
    /// Decode straight into this buffer of exactly `info.byteCount` bytes (a slot of the same
    /// dtype). The buffer must stay valid until the read returns. A nonzero `room` says that many
    /// bytes before and after it belong to the same allocation and may be overwritten, and that
    /// the buffer's address is congruent to the tensor's file offset modulo `room`: a direct read
    /// widened to the device's blocks (up to `room`) can then land in place.
    case buffer(UnsafeMutableRawBufferPointer, room: Int = 0)
    /// Deliver the bytes through `TensorSink.write(_:of:at:)` in chunks of a bounded window (for
    /// a dtype conversion, a checksum, a comparison).
    case chunks
    /// The bytes are not needed. The reader may skip frames that hold nothing else.
    case discard
}

/// Receives the tensor data of a compressed shard as it is decoded.
///
/// ```swift
/// final class Slots: TensorSink {
///     func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination {
///         .buffer(slotMemory(for: info.name))
///     }
///     func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {}
/// }
/// try reader.read(into: Slots())
/// ```
///
/// A sink may be called from several threads when a shard's frames decode in parallel.
package protocol TensorSink: Sendable {
    /// Where the bytes of `info` go. Called once per tensor, in offset order, from the thread that
    /// called `read`, before any of the tensor's bytes are decoded.
    func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination

    /// Receives `chunk`, the tensor's bytes starting at byte `offset` of the tensor, for tensors
    /// whose destination is `.chunks`.
    ///
    /// Chunks hold whole elements (their offset and size are multiples of the element size; for
    /// sub-byte dtypes, of the bytes a whole number of elements fills), every byte of the tensor
    /// arrives exactly once, but chunks may arrive in any order and, when frames decode in
    /// parallel, concurrently from several threads. `chunk` is valid only during the call.
    ///
    /// - Throws: any error, which ends the read.
    func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError)

    /// Told that `byteCount` more bytes of tensors the sink wants are in place, for progress;
    /// from any reading thread. By default nothing.
    func arrived(_ byteCount: Int)

    /// The byte ranges of `info` a `.chunks` destination needs (see the default).
    func neededRanges(of info: TensorInfo) -> [Range<Int>]?
}

extension TensorSink {
    package func arrived(_ byteCount: Int) {}

    /// The byte ranges of `info` (relative to the tensor's first byte, sorted, not overlapping) a
    /// `.chunks` destination needs; `nil` (the default) for all of it. A `pread` read of a plain
    /// file reads only these ranges (a tensor-parallel rank's slice); other readers may deliver more.
    package func neededRanges(of info: TensorInfo) -> [Range<Int>]? { nil }
}

extension DType {
    /// The smallest number of bytes that hold a whole number of elements: 1 for `F4`, 3 for the
    /// 6-bit floats, the element size otherwise. Chunks are cut at multiples of it.
    var chunkUnit: Int {
        var bits = bitSize
        while bits % 8 != 0 { bits += bitSize }
        return bits / 8
    }
}
