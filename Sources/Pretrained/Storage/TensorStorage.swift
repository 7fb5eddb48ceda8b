/// The memory behind one or more tensors: a view into a mapped file, or bytes this process owns.
///
/// Storage is a class so that identity means sharing: tied parameters hold the same
/// `TensorStorage` instance (compare with `===`, as `data_ptr()` is compared in PyTorch), and a
/// write through one is seen through the other.
public final class TensorStorage: @unchecked Sendable {
    /// Where the bytes live.
    public enum Backing: Sendable {
        /// A view into a mapped file, which the storage keeps alive.
        case mapped(MappedFile)
        /// Memory allocated for this storage and freed with it.
        case owned
    }

    /// How the bytes are held.
    public let backing: Backing
    /// The bytes. Writable: a mapped view is copy-on-write and never writes to the file.
    public let bytes: UnsafeMutableRawBufferPointer

    /// The alignment of owned allocations, enough for any element type and for vector loads.
    public static let ownedAlignment = 64

    /// A view of `range` of a mapped file, sharing its memory (zero-copy).
    ///
    /// - Precondition: `range` lies within `file.bytes`.
    public init(viewing file: MappedFile, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= file.bytes.count, "view outside the mapping")
        self.backing = .mapped(file)
        self.bytes = UnsafeMutableRawBufferPointer(rebasing: file.bytes[range])
    }

    /// Fresh, uninitialized owned memory of `byteCount` bytes, aligned to `ownedAlignment`.
    public init(uninitializedByteCount byteCount: Int) {
        precondition(byteCount >= 0, "negative byte count")
        let base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: Self.ownedAlignment)
        self.backing = .owned
        self.bytes = UnsafeMutableRawBufferPointer(start: base, count: byteCount)
    }

    /// Owned memory holding a copy of `source`.
    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(uninitializedByteCount: source.count)
        if source.count > 0 { bytes.copyMemory(from: source) }
    }

    deinit {
        if case .owned = backing, let base = bytes.baseAddress {
            base.deallocate()
        }
    }

    /// The number of bytes.
    public var count: Int { bytes.count }

    /// Whether the bytes are a zero-copy view into a mapped file.
    public var isMapped: Bool {
        if case .mapped = backing { return true }
        return false
    }
}
