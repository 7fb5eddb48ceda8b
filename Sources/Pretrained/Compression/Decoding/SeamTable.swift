/// Elements of chunk-delivered tensors that straddle a boundary between frames decoded on
/// different threads. Each thread decodes its part of such an element into the element's seam
/// buffer; once all threads are done, whole seam elements go to the sink, so that chunks always
/// hold whole elements.
final class SeamTable {
    private struct Seam {
        var tensor: Int
        var offset: Int
    }

    /// Element start (position in the decoded stream) -> its tensor and its bytes in `storage`.
    private let seams: [Int: Seam]
    private let memory: OwnedBytes
    private var storage: UnsafeMutableRawBufferPointer { memory.bytes }

    /// The seams the piece `boundaries` (positions in the decoded stream) cut in `router`'s tensors.
    ///
    /// - Throws: `PretrainedError.io` (`ENOMEM`) naming `file` when the seams' memory cannot be had.
    init(boundaries: [Int], router: TensorRouter, file: String) throws(PretrainedError) {
        var seams: [Int: Seam] = [:]
        var size = 0
        for boundary in boundaries where boundary > router.dataStart && boundary < router.dataEnd {
            let index = router.tensorIndex(at: boundary)
            guard case .chunks = router.destinations[index] else { continue }
            let info = router.tensors[index]
            let unit = info.dtype.chunkUnit
            let tensorStart = router.dataStart + info.dataOffsets.lowerBound
            let elementStart = boundary - (boundary - tensorStart) % unit
            if elementStart != boundary && seams[elementStart] == nil {
                seams[elementStart] = Seam(tensor: index, offset: size)
                size += unit
            }
        }
        self.seams = seams
        self.memory = try OwnedBytes(count: size, alignment: 8, file: file, purpose: "the seams between frames")
    }

    /// The buffer of the element starting at `elementStart`, from byte `from` to byte `to` of
    /// the element.
    func buffer(elementStart: Int, from: Int, to: Int) -> UnsafeMutableRawBufferPointer {
        guard let seam = seams[elementStart] else {
            preconditionFailure("no seam for the element at \(elementStart): pieces and seams disagree")
        }
        return UnsafeMutableRawBufferPointer(rebasing: storage[(seam.offset + from)..<(seam.offset + to)])
    }

    /// Hands every seam element to the sink, in stream order.
    func flush(to router: TensorRouter) throws(PretrainedError) {
        for (elementStart, seam) in seams.sorted(by: { $0.key < $1.key }) {
            let info = router.tensors[seam.tensor]
            let unit = info.dtype.chunkUnit
            let bytes = UnsafeRawBufferPointer(rebasing: storage[seam.offset..<(seam.offset + unit)])
            try router.sink.write(
                bytes, of: info, at: elementStart - router.dataStart - info.dataOffsets.lowerBound)
        }
    }
}
