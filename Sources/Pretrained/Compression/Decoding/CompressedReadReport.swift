/// How a compressed shard's data was decoded.
public struct CompressedReadReport: Sendable, Equatable {
    /// The decoding strategy.
    public enum Strategy: String, Sendable {
        /// One thread decoded the frames in order.
        case sequential
        /// Frames with declared content sizes decoded concurrently, each into its own range.
        case parallel
        /// Frames without declared sizes (as `pzstd` writes them) decoded concurrently, each
        /// assumed to be as large as the first; every frame's size was then confirmed.
        case speculative
    }

    /// The strategy that produced the data (after a failed speculation: `.sequential`).
    public var strategy: Strategy
    /// The number of threads that decoded frames at once.
    public var workers: Int
    /// The number of frames decoded (frames holding only discarded tensors may be skipped).
    public var framesDecoded: Int
}
