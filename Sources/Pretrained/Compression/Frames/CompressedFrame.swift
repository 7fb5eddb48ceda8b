/// One data frame of a compressed shard (skippable frames are not listed).
package struct CompressedFrame: Sendable, Hashable {
    /// The frame's bytes within the file, from its magic number to its end.
    package var range: Range<Int>
    /// The number of bytes the frame decodes to, when its header declares it.
    package var contentSize: Int?

    package init(range: Range<Int>, contentSize: Int?) {
        self.range = range
        self.contentSize = contentSize
    }
}
