/// How tensor bytes are brought into memory.
public enum ReadBackend: String, Sendable, CaseIterable {
    /// Map the file (`mmap`) and view tensors in place: zero-copy, the default.
    case mmap
    /// Read each tensor's range with `pread` into owned memory: for network file systems where
    /// mapping is slow, or when the file may change underneath (as safetensors' `backend="pread"`).
    case pread
}
