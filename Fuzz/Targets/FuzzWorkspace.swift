#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Pretrained

/// A private scratch folder for fuzz inputs, removed with everything in it when released.
///
/// Inputs are written with plain `open`/`write` (no `fsync`, no rename): a fuzzer writes
/// thousands of files a second, and only this process reads them.
public final class FuzzWorkspace: @unchecked Sendable {
    /// The folder's path.
    public let path: String
    private var fixtureReady = false

    /// Creates a fresh folder under `$TMPDIR` (or `/tmp`).
    ///
    /// - Throws: `PretrainedError.io` when the folder cannot be made.
    public init() throws(PretrainedError) {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((base + "/pretrained-fuzz-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> UnsafeMutablePointer<CChar>? in
            guard let base = buffer.baseAddress else { return nil }
            return mkdtemp(base)
        }
        guard let made else {
            throw .io(file: base, operation: "mkdtemp", errno: errno)
        }
        path = String(cString: made)
    }

    deinit {
        FuzzWorkspace.removeTree(path)
    }

    /// The path of `name` inside the workspace.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to `name` inside the workspace, replacing it; returns its path.
    @discardableResult
    public func write(_ name: String, bytes: UnsafeRawBufferPointer) throws(PretrainedError) -> String {
        let target = file(name)
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(file: target, operation: "open for writing", errno: errno) }
        defer { close(fd) }
        let code = writeAll(fd, bytes)
        guard code == 0 else { throw .io(file: target, operation: "write", errno: code) }
        return target
    }

    /// Writes `bytes` to `name` inside the workspace, replacing it; returns its path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) throws(PretrainedError) -> String {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(PretrainedError) in try write(name, bytes: buffer) }
        }
        return try result.get()
    }

    /// Makes a folder `name` inside the workspace (no error when it exists); returns its path.
    @discardableResult
    public func makeFolder(_ name: String) throws(PretrainedError) -> String {
        let target = file(name)
        guard mkdir(target, 0o755) == 0 || errno == EEXIST else {
            throw .io(file: target, operation: "mkdir", errno: errno)
        }
        return target
    }

    /// Makes a symbolic link `name` inside the workspace pointing at `destination`.
    public func link(_ name: String, to destination: String) throws(PretrainedError) {
        let target = file(name)
        unlink(target)
        guard symlink(destination, target) == 0 else {
            throw .io(file: target, operation: "symlink", errno: errno)
        }
    }

    /// The folder holding the fixed checkpoint the `index` target writes its index into, made on
    /// first use (see `IndexFixture`).
    public func indexFixture() throws(PretrainedError) -> String {
        if !fixtureReady {
            try IndexFixture.make(in: self)
            fixtureReady = true
        }
        return file(IndexFixture.folder)
    }

    /// Removes `path` and everything below it, without following symbolic links.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            if let handle = opendir(path) {
                var names: [String] = []
                while let entry = readdir(handle) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(handle)
                for name in names { removeTree(path + "/" + name) }
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

/// Writes all of `bytes` to `fd` (`write(2)`, retrying `EINTR`); returns 0 or the errno value.
private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard let base = bytes.baseAddress else { return 0 }
    var done = 0
    while done < bytes.count {
        let n = write(fd, base + done, bytes.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        done += n
    }
    return 0
}
