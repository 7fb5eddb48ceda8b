extension SafetensorsFile {
    /// The largest staging buffer of a `pread` read whose tensors arrive in chunks: a conversion
    /// never holds a second full copy of a tensor.
    static let chunkWindow = 4 << 20

    /// Delivers the tensor data into the destinations `sink` supplies, tensor by tensor in offset
    /// order, on the calling thread: the counterpart of `CompressedShardReader.read(into:)` for
    /// plain files, so both kinds of shard fill the same sinks.
    ///
    /// - `.buffer`: the bytes are copied (mapped) or read (`pread`) straight into the buffer.
    /// - `.chunks`: a mapped file delivers each tensor as one chunk, a view of the mapping with no
    ///   staging copy; `pread` delivers chunks of at most 4 MiB, each a whole number of elements.
    /// - `.discard`: nothing is read.
    ///
    /// From a mapping, each range delivered is then dropped from this process (`MADV_DONTNEED`:
    /// the page cache keeps it, and views of the file fault it back in), so reading a shard into
    /// owned memory peaks at the size of the copies, not copies plus the mapped shard.
    ///
    /// - Throws: I/O errors naming the file; whatever the sink throws.
    func read(into sink: some TensorSink) throws(PretrainedError) {
        for info in header.tensors {
            let destination = try sink.destination(for: info)
            let range = fileRange(of: info)
            switch (source, destination) {
            case (_, .discard):
                continue
            case (.mapped(let mapped), .buffer(let buffer)):
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: mapped.bytes[range]))
                mapped.advise(.dontNeed, range: range)
            case (.mapped(let mapped), .chunks):
                try sink.write(UnsafeRawBufferPointer(rebasing: mapped.bytes[range]), of: info, at: 0)
                mapped.advise(.dontNeed, range: range)
            case (.descriptor(let descriptor), .buffer(let buffer)):
                try descriptor.read(into: buffer, at: range.lowerBound)
            case (.descriptor(let descriptor), .chunks):
                for part in sink.neededRanges(of: info) ?? [0..<range.count] {
                    try readChunks(of: info, range: range, part: part, from: descriptor, into: sink)
                }
            }
            sink.arrived(range.count)
        }
    }

    /// Reads bytes `part` of `range` (the data of `info`) through a bounded window, in
    /// whole-element chunks.
    private func readChunks(of info: TensorInfo, range: Range<Int>, part: Range<Int>, from descriptor: FileDescriptor,
                            into sink: some TensorSink) throws(PretrainedError) {
        let unit = info.dtype.chunkUnit
        let chunk = max(unit, Self.chunkWindow / unit * unit)
        let part = part.clamped(to: 0..<range.count)
        guard !part.isEmpty else { return }
        let window = try OwnedBytes(
            count: min(part.count, chunk), file: path, purpose: "a read window of tensor '\(info.name)'")
        var offset = part.lowerBound
        while offset < part.upperBound {
            let piece = UnsafeMutableRawBufferPointer(rebasing: window.bytes[0..<min(chunk, part.upperBound - offset)])
            try descriptor.read(into: piece, at: range.lowerBound + offset)
            try sink.write(UnsafeRawBufferPointer(piece), of: info, at: offset)
            offset += piece.count
        }
    }
}
