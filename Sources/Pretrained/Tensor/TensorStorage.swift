internal import CSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        /// Memory a caller provided (an engine's staging or device-visible buffer), released by
        /// the caller's deallocator.
        case external
    }

    /// How owned memory is released.
    private enum Release {
        case none, free, unmap
        /// A placed allocation: the whole region around the bytes.
        case unmapRegion(UnsafeMutableRawBufferPointer), freeRegion(UnsafeMutableRawPointer)
        case call(@Sendable (UnsafeMutableRawBufferPointer) -> Void)
    }

    /// How the bytes are held.
    public let backing: Backing
    /// The bytes. Writable: a mapped view is copy-on-write and never writes to the file.
    public let bytes: UnsafeMutableRawBufferPointer
    private let release: Release
    /// Bytes of this storage's own allocation before its first byte and after its last one that a
    /// reader may overwrite (a placed allocation's, for direct reads); 0 for others.
    package let room: Int

    /// The alignment of owned allocations, enough for any element type and for vector loads.
    public static let ownedAlignment = 64

    /// Owned allocations from this size up are anonymous mappings backed by transparent huge
    /// pages: first-touch page faults, not copying, bound every load that owns its bytes, and a
    /// huge page faults once for 512 small ones.
    static let hugePageThreshold = 2 << 20

    /// A view of `range` of a mapped file, sharing its memory (zero-copy).
    ///
    /// - Precondition: `range` lies within `file.bytes`.
    public init(viewing file: MappedFile, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= file.bytes.count, "view outside the mapping")
        self.backing = .mapped(file)
        self.bytes = UnsafeMutableRawBufferPointer(rebasing: file.bytes[range])
        self.release = .none
        self.room = 0
    }

    /// Whether the bytes are still the ones loaded: false for a view of a mapped file that
    /// shrank since (see `MappedFile.isIntact`), always true for owned and external memory.
    public var isIntact: Bool {
        guard case .mapped(let file) = backing else { return true }
        return file.isIntact
    }

    /// Fresh owned memory of `byteCount` bytes, aligned to `ownedAlignment` (page-aligned and
    /// zero-filled from `hugePageThreshold` up, uninitialized below).
    ///
    /// - Precondition: the memory can be allocated (as `UnsafeMutableRawPointer.allocate`); use
    ///   `allocate(byteCount:zeroed:tensor:)` for sizes that come from files.
    public convenience init(uninitializedByteCount byteCount: Int) {
        precondition(byteCount >= 0, "negative byte count")
        guard let (bytes, release) = Self.ownedMemory(byteCount) else {
            preconditionFailure("cannot allocate \(byteCount) bytes")
        }
        self.init(owned: bytes, release: release)
    }

    /// Wraps memory the caller provides; `deallocator` is called with it when the storage is
    /// released (after the last tensor using it).
    ///
    /// ```swift
    /// let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: slot.byteCount, alignment: 256)
    /// let storage = TensorStorage(external: buffer) { $0.deallocate() }
    /// ```
    public init(external buffer: UnsafeMutableRawBufferPointer,
                deallocator: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void) {
        self.backing = .external
        self.bytes = buffer
        self.release = .call(deallocator)
        self.room = 0
    }

    /// Fresh owned memory of `byteCount` bytes, like `init(uninitializedByteCount:)`, but a
    /// failed allocation is a typed error instead of a trap: what a loader uses for sizes that
    /// come from files.
    ///
    /// - Parameters:
    ///   - byteCount: the size.
    ///   - zeroed: whether the bytes must read as zero (free for huge-page mappings, which the
    ///     kernel hands out zero-filled).
    ///   - tensor: the name the error gives when the allocation fails.
    /// - Throws: `PretrainedError.allocationFailed` naming `tensor`.
    public static func allocate(byteCount: Int, zeroed: Bool, tensor: String) throws(PretrainedError) -> TensorStorage {
        guard byteCount >= 0, let (bytes, release) = ownedMemory(byteCount) else {
            throw .allocationFailed(tensor: tensor, bytes: byteCount)
        }
        if zeroed, case .free = release, let base = bytes.baseAddress { memset(base, 0, byteCount) }
        return TensorStorage(owned: bytes, release: release)
    }

    /// Fresh owned memory of `byteCount` bytes placed for direct reads of a tensor at `fileOffset`
    /// of its file: the first byte's address is congruent to `fileOffset` modulo `room` (a power of
    /// two, a page), and `room` bytes of the same allocation lie before and after the tensor, so a
    /// direct read widened to any block size up to `room` lands in place. Otherwise as
    /// `allocate(byteCount:zeroed:tensor:)`.
    ///
    /// - Throws: `PretrainedError.allocationFailed` naming `tensor`.
    package static func allocate(byteCount: Int, zeroed: Bool, tensor: String, placedFor fileOffset: Int,
                                 room: Int) throws(PretrainedError) -> TensorStorage {
        let (regionSize, overflow) = byteCount.addingReportingOverflow(3 * room)
        guard byteCount >= 0, !overflow, let (region, release) = ownedMemory(regionSize, alignment: room) else {
            throw .allocationFailed(tensor: tensor, bytes: byteCount)
        }
        let start = room + fileOffset % room
        let bytes = UnsafeMutableRawBufferPointer(rebasing: region[start..<(start + byteCount)])
        if zeroed, case .free = release, let base = bytes.baseAddress { memset(base, 0, byteCount) }
        let placed: Release
        switch release {
        case .unmap: placed = .unmapRegion(region)
        default: placed = .freeRegion(region.baseAddress!)
        }
        return TensorStorage(owned: bytes, release: placed, room: room)
    }

    /// Memory for an owned storage: an anonymous huge-page mapping from `hugePageThreshold` up
    /// (zero-filled by the kernel), aligned heap memory below; `nil` when it cannot be had.
    private static func ownedMemory(_ byteCount: Int, alignment: Int = ownedAlignment)
        -> (UnsafeMutableRawBufferPointer, Release)? {
        var base: UnsafeMutableRawPointer?
        if byteCount >= hugePageThreshold {
            guard csupport_map_anonymous(byteCount, 1, &base) == 0, let base else { return nil }
            return (UnsafeMutableRawBufferPointer(start: base, count: byteCount), .unmap)
        }
        guard let bytes = OwnedBytes.allocate(byteCount, alignment: alignment) else { return nil }
        return (bytes, .free)
    }

    private init(owned bytes: UnsafeMutableRawBufferPointer, release: Release, room: Int = 0) {
        self.backing = .owned
        self.bytes = bytes
        self.release = release
        self.room = room
    }

    /// An owned storage of no bytes (a placeholder; allocates nothing that can fail).
    static var empty: TensorStorage { TensorStorage(owned: UnsafeMutableRawBufferPointer(start: nil, count: 0), release: .none) }

    /// Owned memory holding a copy of `source`.
    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(uninitializedByteCount: source.count)
        if source.count > 0 { bytes.copyMemory(from: source) }
    }

    deinit {
        guard let base = bytes.baseAddress else {
            if case .call(let deallocator) = release { deallocator(bytes) }
            return
        }
        switch release {
        case .none: break
        case .free: free(base)
        case .unmap: _ = csupport_unmap(base, bytes.count)
        case .unmapRegion(let region): _ = csupport_unmap(region.baseAddress!, region.count)
        case .freeRegion(let region): free(region)
        case .call(let deallocator): deallocator(bytes)
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
