internal import CSupport

/// The version of swift-pretrained.
public let version = "0.1.0"

/// The versions of the codec libraries linked into this build.
public enum Codecs {
    /// libzstd's version, for example `1.5.4`.
    public static var zstdVersion: String { String(cString: csupport_zstd_version()) }

    /// liblz4's version, for example `1.9.4`.
    public static var lz4Version: String {
        let number = Int(csupport_lz4_version())
        return "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }
}
