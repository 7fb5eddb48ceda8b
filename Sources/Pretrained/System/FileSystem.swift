#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system queries resolution needs, without Foundation.
enum FileSystem {
    enum Kind { case file, directory, other, missing }

    /// What `path` is, following symbolic links.
    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// What is at `path`, links followed, in words for a message: `nil` when nothing is (or only a
    /// dangling link), else "a regular file", "a folder", "a FIFO (named pipe)", "a socket", "a
    /// character device", "a block device", "a symbolic link loop", or why it cannot be examined.
    static func describe(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: return nil
            case ELOOP: return "a symbolic link loop"
            default: return "a path that cannot be examined (\(PretrainedError.message(errno: code)))"
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "not a regular file"
        }
    }

    /// The canonical absolute path of an existing `path` (`realpath(3)`: links resolved).
    static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The names in `directory`, sorted, without `.` and `..`.
    static func contents(of directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Creates `directory` and its missing parents (`mkdir -p`).
    ///
    /// - Throws: `PretrainedError.io` naming the first folder that cannot be created.
    static func makeDirectories(_ directory: String) throws(PretrainedError) {
        guard kind(of: directory) != .directory else { return }
        let parent = Path.directory(of: directory)
        if parent != directory { try makeDirectories(parent) }
        guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
            throw .io(file: directory, operation: "mkdir", errno: errno)
        }
    }

    /// Whether canonical `path` lies inside canonical `directory`.
    static func isInside(_ path: String, directory: String) -> Bool {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(prefix)
    }
}
