import Crypto

extension Tensor {
    /// The SHA-256 of the tensor's raw little-endian bytes, as lowercase hex (what the CLI's
    /// `--checksums` prints, and what the conformance fixtures record from PyTorch).
    public func sha256() -> String {
        let digest = withUnsafeBytes { SHA256.hash(data: $0) }
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
