internal import CSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one streaming decode step did.
struct DecodeStep {
    /// Input bytes consumed.
    var consumed: Int
    /// Output bytes written.
    var produced: Int
    /// Whether a frame ended with this step (completely decoded, checksum verified, flushed).
    var frameEnded: Bool
}

/// A codec library's error, before it is tied to a file and a frame.
struct CodecFailure: Error {
    /// What the error means.
    enum Kind { case checksum, truncated, frameSize, other }

    var kind: Kind
    /// The codec's name for the error, for example `Data corruption detected`.
    var name: String

    init(kind: csupport_codec_error_kind, name: UnsafePointer<CChar>) {
        switch kind {
        case CSUPPORT_CODEC_ERROR_CHECKSUM: self.kind = .checksum
        case CSUPPORT_CODEC_ERROR_TRUNCATED: self.kind = .truncated
        case CSUPPORT_CODEC_ERROR_FRAME_SIZE: self.kind = .frameSize
        default: self.kind = .other
        }
        self.name = String(cString: name)
    }
}

/// A streaming decoder of zstd or lz4 frames over caller buffers; it owns the codec's context.
/// Each step stops at the end of a frame; the next step starts the next frame.
final class FrameDecoder {
    private let context: UnsafeMutableRawPointer
    private let compression: ShardCompression

    /// Creates a decoder for `compression` (`.zstd` or `.lz4`).
    ///
    /// - Throws: `PretrainedError.io` with `ENOMEM` when the codec cannot allocate its context.
    init(_ compression: ShardCompression, file: String) throws(PretrainedError) {
        precondition(compression != .none, "a plain shard has no frame decoder")
        var context: UnsafeMutableRawPointer?
        let result =
            compression == .zstd
            ? csupport_zstd_dctx_create(&context) : csupport_lz4_dctx_create(&context)
        try check(result, file: file, "creating a \(compression.rawValue) decompression context")
        guard let context else {
            throw .io(file: file, operation: "creating a decompression context", errno: ENOMEM)
        }
        self.context = context
        self.compression = compression
    }

    deinit {
        switch compression {
        case .zstd: csupport_zstd_dctx_free(context)
        default: csupport_lz4_dctx_free(context)
        }
    }

    /// Decodes from `input` into `output` until one of them is used up or a frame ends.
    ///
    /// - Throws: the codec's error.
    func decode(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(CodecFailure) -> DecodeStep {
        var consumed = 0
        var produced = 0
        var ended: Int32 = 0
        let code =
            compression == .zstd
            ? csupport_zstd_decompress(
                context, output.baseAddress, output.count, &produced,
                input.baseAddress, input.count, &consumed, &ended)
            : csupport_lz4_decompress(
                context, output.baseAddress, output.count, &produced,
                input.baseAddress, input.count, &consumed, &ended)
        guard code == 0 else {
            throw compression == .zstd
                ? CodecFailure(kind: csupport_zstd_error_kind(code), name: csupport_zstd_error_name(code))
                : CodecFailure(kind: csupport_lz4_error_kind(code), name: csupport_lz4_error_name(code))
        }
        return DecodeStep(consumed: consumed, produced: produced, frameEnded: ended != 0)
    }
}
