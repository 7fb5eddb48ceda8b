/// Routes stretches of a shard's decoded stream (the 8-byte length, the header, the data) to the
/// tensors' destinations: straight into buffers, through a window to the sink in whole-element
/// chunks, through seam buffers where a piece boundary cuts an element, or nowhere.
struct TensorRouter {
    /// The tensors in offset order.
    let tensors: [TensorInfo]
    /// Each tensor's destination, in the same order.
    let destinations: [TensorDestination]
    let sink: any TensorSink
    /// Where the data section starts and ends in the decoded stream.
    let dataStart: Int
    let dataEnd: Int

    init(header: SafetensorsHeader, destinations: [TensorDestination], sink: any TensorSink) {
        self.tensors = header.tensors
        self.destinations = destinations
        self.sink = sink
        self.dataStart = header.dataStart
        self.dataEnd = header.dataStart + header.dataLength
    }

    /// The index of the tensor holding stream position `position` (in the data section), or
    /// `tensors.count` past the end. Empty tensors hold no position.
    func tensorIndex(at position: Int) -> Int {
        let offset = position - dataStart
        var low = 0
        var high = tensors.count
        while low < high {
            let middle = (low + high) / 2
            if tensors[middle].dataOffsets.upperBound <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Whether every byte of `range` is header or belongs to a discarded tensor.
    func isDiscarded(_ range: Range<Int>) -> Bool {
        var index = tensorIndex(at: max(range.lowerBound, dataStart))
        var position = max(range.lowerBound, dataStart)
        while position < range.upperBound && index < tensors.count {
            guard case .discard = destinations[index] else { return false }
            position = dataStart + tensors[index].dataOffsets.upperBound
            index += 1
        }
        return true
    }

    /// Decodes `range` of the stream from `stream`, which stands at `range.lowerBound`, into the
    /// destinations (bytes before the data section are dropped).
    ///
    /// - Parameter seams: the seam buffers for elements cut by piece boundaries (`nil` when
    ///   `range` cuts no element, as for the whole stream).
    /// - Returns: the position reached: `range.upperBound`, or less when the stream ended first.
    func deliver(
        _ range: Range<Int>, from stream: inout DecodeStream, window: DecodeWindow,
        seams: SeamTable?
    ) throws(PretrainedError) -> Int {
        var position = range.lowerBound
        let headerEnd = min(range.upperBound, dataStart)
        if position < headerEnd {
            position += try window.skip(headerEnd - position, from: &stream)
            if position < headerEnd { return position }
        }
        var index = tensorIndex(at: position)
        while position < range.upperBound && index < tensors.count {
            let info = tensors[index]
            let start = dataStart + info.dataOffsets.lowerBound
            let end = min(range.upperBound, dataStart + info.dataOffsets.upperBound)
            if position < end {
                let reached: Int
                switch destinations[index] {
                case .buffer(let buffer, _):
                    let part = UnsafeMutableRawBufferPointer(rebasing: buffer[(position - start)..<(end - start)])
                    reached = position + (try stream.read(into: part))
                case .discard:
                    reached = position + (try window.skip(end - position, from: &stream))
                case .chunks:
                    reached = try deliverChunks(
                        of: info, position..<end, tensorStart: start,
                        from: &stream, window: window, seams: seams)
                }
                if case .discard = destinations[index] {} else { sink.arrived(reached - position) }
                if reached < end { return reached }
                position = end
            }
            index += 1
        }
        return position
    }

    /// Delivers `range` of a chunk-delivered tensor: a partial element at either end goes to its
    /// seam buffer, whole elements go to the sink through the window.
    private func deliverChunks(
        of info: TensorInfo, _ range: Range<Int>, tensorStart: Int,
        from stream: inout DecodeStream, window: DecodeWindow,
        seams: SeamTable?
    ) throws(PretrainedError) -> Int {
        let unit = info.dtype.chunkUnit
        var position = range.lowerBound
        let firstWhole = tensorStart + (position - tensorStart + unit - 1) / unit * unit
        let lastWhole = tensorStart + (range.upperBound - tensorStart) / unit * unit
        if position < firstWhole {
            // The rest of an element that began in an earlier piece.
            let end = min(firstWhole, range.upperBound)
            let elementStart = firstWhole - unit
            let part = seamBuffer(
                seams, elementStart: elementStart, from: position - elementStart, to: end - elementStart)
            position += try stream.read(into: part)
            if position < end { return position }
        }
        let chunk = DecodeWindow.capacity / unit * unit
        while position < lastWhole {
            let count = min(chunk, lastWhole - position)
            let bytes = window.bytes(count)
            let got = try stream.read(into: bytes)
            if got < count { return position + got }
            try sink.write(UnsafeRawBufferPointer(bytes), of: info, at: position - tensorStart)
            position += count
        }
        if position < range.upperBound {
            // The start of an element that ends in a later piece.
            let part = seamBuffer(seams, elementStart: position, from: 0, to: range.upperBound - position)
            position += try stream.read(into: part)
        }
        return position
    }

    private func seamBuffer(
        _ seams: SeamTable?, elementStart: Int, from: Int, to: Int
    ) -> UnsafeMutableRawBufferPointer {
        guard let seams else { preconditionFailure("a piece cuts an element but there is no seam table") }
        return seams.buffer(elementStart: elementStart, from: from, to: to)
    }
}
