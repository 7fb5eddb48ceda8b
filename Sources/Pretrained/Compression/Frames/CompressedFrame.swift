/// One data frame of a compressed shard (skippable frames are not listed).
public struct CompressedFrame: Sendable, Hashable {
    /// The frame's bytes within the file, from its magic number to its end.
    public var range: Range<Int>
    /// The number of bytes the frame decodes to, when its header declares it.
    public var contentSize: Int?

    public init(range: Range<Int>, contentSize: Int?) {
        self.range = range
        self.contentSize = contentSize
    }
}
