internal import CSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file open for direct reads (`O_DIRECT`): the bytes go from the device to the caller's
/// buffer without passing through, or staying in, the page cache, at the device's granularity
/// (often 512 bytes) instead of whole pages with read-ahead around them.
///
/// Reads must start and end at multiples of `offsetAlignment` and land in memory aligned to
/// `memoryAlignment`; `read(_:into:)` widens a range and reads into a staging buffer.
final class DirectFile: @unchecked Sendable {
    let raw: Int32
    let path: String
    /// What file offsets and lengths must be multiples of.
    let offsetAlignment: Int
    /// What buffer addresses must be multiples of.
    let memoryAlignment: Int

    /// Opens `path` for direct reads, or returns `nil` where the system or the file system
    /// cannot do them, or cannot say with which alignment (`statx` `STATX_DIOALIGN`, Linux 6.1).
    init?(path: String) {
        var fd: Int32 = -1
        var offsetAlignment: UInt32 = 0, memoryAlignment: UInt32 = 0
        guard csupport_open_direct(path, &fd, &offsetAlignment, &memoryAlignment) == 0 else { return nil }
        FileAccessTrace.record(.opened(path))
        self.raw = fd
        self.path = path
        self.offsetAlignment = Int(offsetAlignment)
        self.memoryAlignment = Int(memoryAlignment)
    }

    deinit {
        _ = csupport_close(raw)
    }

    /// `range` widened to the alignment: where a direct read of it starts and ends.
    func aligned(_ range: Range<Int>) -> Range<Int> {
        let start = range.lowerBound / offsetAlignment * offsetAlignment
        let end = (range.upperBound + offsetAlignment - 1) / offsetAlignment * offsetAlignment
        return start..<end
    }

    /// Whether `range` can be read straight into `base` (where its first byte goes): `base` lies
    /// as `range` does against the blocks and in memory aligned as the device needs, and the
    /// `room` around the destination covers the widening.
    func canRead(_ range: Range<Int>, inPlaceAt base: UnsafeMutableRawPointer, room: Int) -> Bool {
        let widened = aligned(range)
        let start = Int(bitPattern: base) - (range.lowerBound - widened.lowerBound)
        return room >= offsetAlignment && start % memoryAlignment == 0
            && range.lowerBound - widened.lowerBound <= room && widened.upperBound - range.upperBound <= room
    }

    /// Reads `range` straight into `base` with one direct read of its blocks, which also writes
    /// the bytes of the blocks around it before `base` and after `base + range.count` (the room
    /// `canRead(_:inPlaceAt:room:)` checked).
    ///
    /// - Throws: `PretrainedError.io` naming the file, also when the file ends before `range` does.
    func read(_ range: Range<Int>, inPlaceAt base: UnsafeMutableRawPointer) throws(PretrainedError) {
        let widened = aligned(range)
        var done = 0
        let code = csupport_pread_full(raw, base - (range.lowerBound - widened.lowerBound), widened.count,
                                       UInt64(widened.lowerBound), &done)
        // The widened end may lie past the end of the file: a short read is fine once `range` is in.
        guard code == 0 || (code == EIO && done >= range.upperBound - widened.lowerBound) else {
            throw .io(file: path, operation: "direct read of \(widened.count) bytes at offset \(widened.lowerBound) (read \(done))",
                      errno: code)
        }
    }

    /// Reads the aligned range around `range` into `staging` (aligned to `memoryAlignment`, at
    /// least `aligned(range).count` bytes) and returns where `range`'s bytes are in it.
    ///
    /// - Throws: `PretrainedError.io` naming the file, also when the file ends before `range` does.
    func read(_ range: Range<Int>, into staging: UnsafeMutableRawBufferPointer) throws(PretrainedError) -> UnsafeRawBufferPointer {
        let widened = aligned(range)
        guard let window = staging.baseAddress, staging.count >= widened.count else {
            throw .io(file: path, operation: "direct read of \(widened.count) bytes into \(staging.count)", errno: EINVAL)
        }
        let base = window + (range.lowerBound - widened.lowerBound)
        try read(range, inPlaceAt: base)
        return UnsafeRawBufferPointer(start: base, count: range.count)
    }
}
