extension CompressedShardReader {
    /// Every tensor, in offset order, decoded into owned memory.
    ///
    /// - Parameter threads: the most threads to decode with; by default every online processor.
    /// - Throws: the errors of `read(into:threads:)`; `.allocationFailed` for a tensor the memory
    ///   cannot hold.
    public func tensors(threads: Int? = nil) throws(PretrainedError) -> [Tensor] {
        let collector = TensorCollector()
        try read(into: collector, threads: threads)
        var tensors: [Tensor] = []
        tensors.reserveCapacity(header.tensors.count)
        for (info, storage) in zip(header.tensors, collector.storages) {
            tensors.append(try Tensor(name: info.name, dtype: info.dtype, shape: info.shape, storage: storage))
        }
        return tensors
    }
}

/// A sink that gives every tensor fresh owned storage and decodes straight into it.
private final class TensorCollector: TensorSink, @unchecked Sendable {
    // `destination(for:)` is only called from the reading thread, in order.
    private(set) var storages: [TensorStorage] = []

    func destination(for info: TensorInfo) throws(PretrainedError) -> TensorDestination {
        let storage = try TensorStorage.allocate(byteCount: info.byteCount, zeroed: false, tensor: info.name)
        storages.append(storage)
        return .buffer(storage.bytes)
    }

    func write(_ chunk: UnsafeRawBufferPointer, of info: TensorInfo, at offset: Int) throws(PretrainedError) {
        preconditionFailure("tensor '\(info.name)' was given a buffer and receives no chunks")
    }
}
