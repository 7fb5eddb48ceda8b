/// A bounded scratch buffer one decoding thread reuses: for chunked delivery, for bytes that are
/// skipped, and for the header part of the stream. Allocated on first use.
final class DecodeWindow {
    /// The window size: 1 MiB.
    static let capacity = 1 << 20

    private var storage: UnsafeMutableRawBufferPointer?

    deinit { storage?.deallocate() }

    /// The first `count` bytes of the window (`count` at most `capacity`).
    func bytes(_ count: Int) -> UnsafeMutableRawBufferPointer {
        precondition(count <= DecodeWindow.capacity, "a window request larger than the window")
        let window =
            storage ?? UnsafeMutableRawBufferPointer.allocate(byteCount: DecodeWindow.capacity, alignment: 64)
        storage = window
        return UnsafeMutableRawBufferPointer(rebasing: window[..<count])
    }

    /// Decodes `count` bytes from `stream` and drops them.
    ///
    /// - Returns: the number of bytes dropped, fewer than `count` only when the stream ended.
    func skip(_ count: Int, from stream: inout DecodeStream) throws(PretrainedError) -> Int {
        var done = 0
        while done < count {
            let want = min(count - done, DecodeWindow.capacity)
            let got = try stream.read(into: bytes(want))
            done += got
            if got < want { break }
        }
        return done
    }
}
