internal import CSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compresses whole frames, each declaring its content size and carrying a content checksum
/// (XXH64 for zstd, XXH32 for lz4); it owns the codec's context.
final class FrameEncoder {
    private let compression: ShardCompression
    private let level: Int32
    private let context: UnsafeMutableRawPointer?

    /// The levels the codec accepts: zstd's `ZSTD_minCLevel()...ZSTD_maxCLevel()` (negative levels
    /// are its fast modes), lz4's `0...12` (below 3 the fast compressor, from 3 on lz4hc).
    static func levels(for compression: ShardCompression) -> ClosedRange<Int> {
        switch compression {
        case .zstd: return Int(csupport_zstd_min_level())...Int(csupport_zstd_max_level())
        default: return 0...Int(csupport_lz4_max_level())
        }
    }

    /// The level used when none is given: 3 for zstd (its default), 0 for lz4 (fast).
    static func defaultLevel(for compression: ShardCompression) -> Int {
        compression == .zstd ? 3 : 0
    }

    /// An encoder for `compression` (`.zstd` or `.lz4`) at `level`, which must lie in `levels(for:)`.
    ///
    /// - Throws: `.io` when the codec cannot allocate its context or rejects the level.
    init(_ compression: ShardCompression, level: Int, file: String) throws(PretrainedError) {
        precondition(
            compression != .none && FrameEncoder.levels(for: compression).contains(level), "invalid encoder")
        self.compression = compression
        self.level = Int32(level)
        guard compression == .zstd else {
            self.context = nil
            return
        }
        var context: UnsafeMutableRawPointer?
        try check(
            csupport_zstd_cctx_create(Int32(level), &context), file: file, "creating a zstd compression context")
        self.context = context
    }

    deinit {
        if let context { csupport_zstd_cctx_free(context) }
    }

    /// The largest frame `size` bytes can compress to.
    func bound(_ size: Int) -> Int {
        compression == .zstd ? csupport_zstd_compress_bound(size) : csupport_lz4_compress_bound(size, level)
    }

    /// Compresses `source` into one frame at the start of `destination`, which holds at least
    /// `bound(source.count)` bytes.
    ///
    /// - Returns: the frame's size.
    /// - Throws: `.io` (`EIO`, naming `file` and the codec's message) when the codec fails.
    func encode(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer,
        file: String
    ) throws(PretrainedError) -> Int {
        guard let input = source.baseAddress, let output = destination.baseAddress else { return 0 }
        var written = 0
        let code =
            context.map {
                csupport_zstd_compress_frame($0, output, destination.count, input, source.count, &written)
            }
            ?? csupport_lz4_compress_frame(output, destination.count, input, source.count, level, &written)
        guard code == 0 else {
            let name = String(
                cString: compression == .zstd ? csupport_zstd_error_name(code) : csupport_lz4_error_name(code))
            throw .io(
                file: file, operation: "\(compression.rawValue) compression of \(source.count) bytes (\(name))",
                errno: EIO)
        }
        return written
    }
}
