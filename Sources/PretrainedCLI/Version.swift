import Pretrained

enum Version {
    /// The `--version` text: the package and the codec libraries it runs with.
    static var description: String {
        "swift-pretrained \(Pretrained.version) (libzstd \(Codecs.zstdVersion), liblz4 \(Codecs.lz4Version))"
    }
}
