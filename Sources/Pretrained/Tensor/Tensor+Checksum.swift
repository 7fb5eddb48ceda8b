internal import CSupport

extension Tensor {
    /// The SHA-256 of the tensor's raw little-endian bytes, as lowercase hex (what the CLI's
    /// `--checksums` prints, and what the conformance fixtures record from PyTorch).
    ///
    /// Computed by the platform's own implementation: OpenSSL's libcrypto on Linux, CommonCrypto
    /// on Apple platforms.
    public func sha256() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let status = withUnsafeBytes { bytes in
            digest.withUnsafeMutableBufferPointer { csupport_sha256(bytes.baseAddress, bytes.count, $0.baseAddress!) }
        }
        precondition(status == 0, "libcrypto's SHA-256 failed")
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 15)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
