/// Provides the memory of slots placed on an accelerator when loading with a device map, so an
/// inference engine can receive weights straight into its own buffers (pinned staging memory,
/// Metal or CUDA host-visible buffers) instead of an intermediate copy.
///
/// ```swift
/// struct PinnedAllocator: TensorAllocator {
///     func allocate(_ slot: TensorSlot, device: Int) throws(PretrainedError) -> TensorStorage {
///         let buffer = myEngine.pinnedBuffer(bytes: slot.byteCount, device: device)
///         return TensorStorage(external: buffer) { myEngine.release($0) }
///     }
/// }
/// ```
public protocol TensorAllocator: Sendable {
    /// A storage of exactly `slot.byteCount` writable bytes for `slot` on accelerator `device`.
    /// The loader fills it (copying or converting from the checkpoint) before returning.
    func allocate(_ slot: TensorSlot, device: Int) throws(PretrainedError) -> TensorStorage
}

/// The default allocator: host memory owned by the storage.
public struct HostAllocator: TensorAllocator {
    public init() {}

    public func allocate(_ slot: TensorSlot, device: Int) throws(PretrainedError) -> TensorStorage {
        try TensorStorage.allocate(byteCount: slot.byteCount, zeroed: false, tensor: slot.name)
    }
}
