/// How a shard's bytes are stored on disk: plain, or as zstd or lz4 frames of the plain file.
///
/// Compressed shards are recognised by extension (`NAME.safetensors.zst`, `.zstd`, `.lz4`) and
/// confirmed by the magic number of their first frame when they are read.
///
/// ```swift
/// ShardCompression(fileName: "model.safetensors.zst")   // .zstd
/// ShardCompression(fileName: "model.safetensors")       // .none
/// ```
public enum ShardCompression: String, Sendable, Hashable, CaseIterable {
    /// A plain safetensors file.
    case none
    /// Zstandard frames, as `zstd`, `pzstd` and `pretrained compress --codec zstd` write them.
    case zstd
    /// LZ4 frames, as `lz4` and `pretrained compress --codec lz4` write them.
    case lz4

    /// The compression a file name announces: `.zst` or `.zstd` is zstd, `.lz4` is lz4, anything
    /// else is none.
    public init(fileName: String) {
        let named = ShardCompression.allCases.first { compression in
            compression.fileExtensions.contains { fileName.hasSuffix($0) }
        }
        self = named ?? .none
    }

    /// The extensions that announce this compression, the one `pretrained compress` writes first.
    public var fileExtensions: [String] {
        switch self {
        case .none: return []
        case .zstd: return [".zst", ".zstd"]
        case .lz4: return [".lz4"]
        }
    }

    /// The magic number (little-endian) that starts a data frame of this codec.
    var frameMagic: UInt32? {
        switch self {
        case .none: return nil
        case .zstd: return 0xFD2F_B528
        case .lz4: return 0x184D_2204
        }
    }

    /// Whether `magic` starts a skippable frame (`0x184D2A50` to `0x184D2A5F`), which zstd and lz4
    /// share.
    static func isSkippableMagic(_ magic: UInt32) -> Bool {
        magic & 0xFFFF_FFF0 == 0x184D_2A50
    }

    /// The most bytes one compressed byte can decode to, with a margin: a zstd RLE block is 4 bytes
    /// for up to 128 KiB; an lz4 match of 255 bytes costs at least one byte.
    var maximumRatio: Int {
        switch self {
        case .none: return 1
        case .zstd: return 32_768
        case .lz4: return 256
        }
    }
}
