import Foundation

/// A file's bytes, size and modification time, to prove that reading never writes.
struct FileStamp: Equatable, CustomStringConvertible {
    var path: String
    var bytes: [UInt8]
    var modified: timespec
    var changed: timespec

    /// Takes the stamp of the file or folder at `path` (following links; a folder has no bytes).
    init(_ path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        bytes = info.st_mode & S_IFMT == S_IFDIR ? [] : Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        modified = info.st_mtim
        changed = info.st_ctim
    }

    static func == (a: FileStamp, b: FileStamp) -> Bool {
        a.path == b.path && a.bytes == b.bytes
            && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
    }

    var description: String {
        "\(path): \(bytes.count) bytes, mtime \(modified.tv_sec).\(modified.tv_nsec), ctime \(changed.tv_sec).\(changed.tv_nsec)"
    }

    /// Sets the access and modification times of `path` to `seconds` after the epoch, so that any
    /// later write, which would stamp the current time, shows.
    static func backdate(_ path: String, to seconds: Int = 1_000_000_000) throws {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        guard utimensat(AT_FDCWD, path, &times, 0) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }
}
