extension SafetensorsFile {
    /// Delivers the tensor data into the destinations `sink` supplies, on the calling thread: the
    /// counterpart of `CompressedShardReader.read(into:)` for plain files, so both kinds of shard
    /// fill the same sinks. (`ShardReads.run` does the same for many shards on several threads.)
    ///
    /// With either backend the bytes are read with `pread`:
    /// - `.buffer`: read straight into the buffer (a mapping is not touched, so a copy costs no
    ///   page-table faults and leaves nothing mapped behind it).
    /// - `.chunks`: delivered in chunks of whole elements of at most `ShardReads.readSize` bytes:
    ///   from the mapping of a mapped file read whole (each range dropped from the process once
    ///   delivered), else through a staging window; of a slice, only the pages holding
    ///   `neededRanges` are read.
    /// - `.discard`: nothing is read.
    ///
    /// - Throws: I/O errors naming the file; whatever the sink throws.
    func read(into sink: some TensorSink) throws(PretrainedError) {
        try ShardReads.run([ShardReads(file: self, sink: sink)], threads: 1)
    }
}
