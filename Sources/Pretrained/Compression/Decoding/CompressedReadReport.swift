/// How a compressed shard's data was decoded.
package struct CompressedReadReport: Sendable, Equatable {
    /// The decoding strategy.
    package enum Strategy: String, Sendable {
        /// One thread decoded the frames in order.
        case sequential
        /// Frames with declared content sizes decoded concurrently, each into its own range.
        case parallel
        /// Frames without declared sizes (as `pzstd` writes them) decoded concurrently, each
        /// assumed to be as large as the first; every frame's size was then confirmed.
        case speculative
    }

    /// The strategy that produced the data (after a failed speculation: `.sequential`).
    package var strategy: Strategy
    /// The number of threads that decoded frames at once.
    package var workers: Int
    /// The number of frames decoded (frames holding only discarded tensors may be skipped).
    package var framesDecoded: Int
}
