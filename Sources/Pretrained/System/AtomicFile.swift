internal import CSupport

/// Writes a file atomically: the bytes go to a temporary file beside the destination, which is
/// flushed (`fsync`) and then renamed over it, and the directory is flushed. Readers see the old
/// file or the complete new one, never a partial write; a failure removes the temporary file.
///
/// ```swift
/// try AtomicFile.write(to: "out/model.safetensors") { sink in
///     try sink.write(header)
///     try sink.write(tensorBytes)
/// }
/// ```
package enum AtomicFile {
    /// Receives the bytes of the file being written.
    public struct Sink {
        let fd: Int32
        let path: String
        /// The number of bytes written so far.
        public private(set) var count = 0

        /// Appends `bytes` to the file.
        public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(PretrainedError) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            try check(csupport_write_full(fd, base, bytes.count), file: path, "write of \(bytes.count) bytes")
            count += bytes.count
        }

        /// Appends `bytes` to the file.
        public mutating func write(_ bytes: [UInt8]) throws(PretrainedError) {
            try bytes.withBytes { (buffer) throws(PretrainedError) in try write(buffer) }
        }
    }

    /// Writes the file at `path` with the bytes `body` produces, atomically, with mode 0644.
    ///
    /// - Throws: `PretrainedError.io` for failed system calls, or whatever `body` throws; the
    ///   destination is then untouched.
    public static func write(to path: String, _ body: (inout Sink) throws(PretrainedError) -> Void) throws(PretrainedError) {
        let directory = Path.directory(of: path)
        var template = Array((directory + "/." + Path.lastComponent(of: path) + ".tmp-XXXXXX").utf8CString)
        var fd: Int32 = -1
        try check(csupport_create_temporary(&template, &fd), file: path, "creating a temporary file")
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            _ = csupport_close(fd)
            if !renamed { _ = csupport_unlink(temporary) }
        }
        var sink = Sink(fd: fd, path: path)
        try body(&sink)
        try check(csupport_chmod(fd, 0o644), file: temporary, "fchmod")
        try check(csupport_fsync(fd), file: temporary, "fsync")
        try check(csupport_rename(temporary, path), file: path, "rename from \(temporary)")
        renamed = true
        try check(csupport_sync_directory(directory), file: directory, "fsync of the directory")
    }
}
