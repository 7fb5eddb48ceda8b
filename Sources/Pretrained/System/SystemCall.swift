internal import CSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a `CSupport` result (0 or an errno value) into a thrown `PretrainedError.io`.
@inline(__always)
func check(_ result: Int32, file: String, _ operation: @autoclosure () -> String) throws(PretrainedError) {
    if result != 0 { throw .io(file: file, operation: operation(), errno: result) }
}

/// Kernel advice for mapped memory or file ranges (`madvise(2)`, `posix_fadvise(2)`).
package enum Advice: Sendable {
    /// `MADV_NORMAL` / `POSIX_FADV_NORMAL`.
    case normal
    /// `MADV_SEQUENTIAL` / `POSIX_FADV_SEQUENTIAL`: read ahead aggressively, drop behind.
    case sequential
    /// `MADV_WILLNEED` / `POSIX_FADV_WILLNEED`: start reading now.
    case willNeed
    /// `MADV_DONTNEED` / `POSIX_FADV_DONTNEED`: release the pages (re-read from the file on use).
    case dontNeed
    /// `MADV_HUGEPAGE`: back the range with transparent huge pages where possible.
    case hugePage
    /// `MADV_RANDOM` / `POSIX_FADV_RANDOM`: no read-ahead; read exactly the pages asked for.
    case random
    /// `MADV_POPULATE_READ` (Linux 5.14): fault the range in now, reading it from the file; an
    /// error where the system lacks it (`MappedFile.populate` then touches each page instead).
    case populateRead

    var cValue: csupport_advice {
        switch self {
        case .normal: return CSUPPORT_ADVICE_NORMAL
        case .sequential: return CSUPPORT_ADVICE_SEQUENTIAL
        case .willNeed: return CSUPPORT_ADVICE_WILLNEED
        case .dontNeed: return CSUPPORT_ADVICE_DONTNEED
        case .hugePage: return CSUPPORT_ADVICE_HUGEPAGE
        case .random: return CSUPPORT_ADVICE_RANDOM
        case .populateRead: return CSUPPORT_ADVICE_POPULATE_READ
        }
    }
}

/// An open, read-only file descriptor that closes itself exactly once.
final class FileDescriptor: @unchecked Sendable {
    let raw: Int32
    let path: String

    /// Opens `path` read-only (`open(2)` with `O_RDONLY | O_CLOEXEC | O_NONBLOCK`, so that a FIFO
    /// cannot block the open; `size()` then rejects anything but a regular file).
    init(readingFrom path: String) throws(PretrainedError) {
        var fd: Int32 = -1
        let code = csupport_open_readonly(path, &fd)
        if code != 0, let kind = FileSystem.describe(path), kind != "a regular file" {
            throw .io(file: path, operation: "open: it is \(kind), not a regular file", errno: code)
        }
        try check(code, file: path, "open")
        FileAccessTrace.record(.opened(path))
        self.raw = fd
        self.path = path
    }

    deinit {
        _ = csupport_close(raw)
    }

    /// The current size of the file (`fstat(2)`).
    func size() throws(PretrainedError) -> Int {
        var size: UInt64 = 0
        let code = csupport_file_size(raw, &size)
        if code == EISDIR || code == EINVAL {
            throw .io(file: path, operation: "fstat: it is \(FileSystem.describe(path) ?? "gone"), not a regular file",
                      errno: code)
        }
        try check(code, file: path, "fstat")
        return Int(clamping: size)
    }

    /// Reads exactly `buffer.count` bytes at `offset` (`pread(2)`).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(PretrainedError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var done = 0
        try check(csupport_pread_full(raw, base, buffer.count, UInt64(offset), &done), file: path,
                  "pread of \(buffer.count) bytes at offset \(offset) (read \(done))")
    }

    /// Advises the kernel about a range of the file (`posix_fadvise(2)`); `length` 0 is "to the end".
    /// Unsupported advice is not an error: advice is a hint.
    func advise(_ advice: Advice, offset: Int = 0, length: Int = 0) {
        _ = csupport_fadvise(raw, UInt64(offset), UInt64(length), advice.cValue)
    }

    /// How many bytes of `range` are in the page cache (`cachestat(2)`, Linux 6.5), or `nil` where
    /// the system cannot tell.
    func cachedBytes(in range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return 0 }
        var cached: UInt64 = 0
        guard csupport_cached_bytes(raw, UInt64(range.lowerBound), UInt64(range.count), &cached) == 0 else { return nil }
        return min(range.count, Int(clamping: cached))
    }
}

/// The size of a memory page.
let pageSize: Int = Int(csupport_page_size())
