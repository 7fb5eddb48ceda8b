#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's address-space limit (`RLIMIT_AS`, as `ulimit -v` or `prlimit --as` set it) and
/// what is left of it, so a load can refuse an allocation plan that cannot fit with a typed error
/// instead of failing halfway, where the next ordinary allocation of the Swift runtime aborts.
public enum AddressSpace {
    /// The soft `RLIMIT_AS` in bytes, or `nil` when unlimited. The corresponding C call is `getrlimit`.
    public static var limit: Int? {
        var value = rlimit()
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
        #else
        let resource = RLIMIT_AS
        #endif
        guard getrlimit(resource, &value) == 0, value.rlim_cur < rlim_t(Int.max) else { return nil }
        return Int(clamping: value.rlim_cur)
    }

    /// The bytes of address space this process maps now (`/proc/self/statm`'s first field), or
    /// `nil` where it cannot be read.
    public static var used: Int? {
        #if os(Linux)
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = (0 as UInt64, 0 as UInt64, 0 as UInt64, 0 as UInt64)
        let count = withUnsafeMutableBytes(of: &buffer) { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let pages = withUnsafeBytes(of: &buffer) { bytes in
            bytes.prefix(count).prefix { $0 >= 48 && $0 <= 57 }.reduce(0) { $0 &* 10 &+ Int($1 - 48) }
        }
        return pages &* pageSize
        #else
        return nil
        #endif
    }

    /// The bytes that can still be mapped under the limit, or `nil` when there is no limit (or
    /// the usage cannot be read).
    public static var available: Int? {
        guard let limit, let used else { return nil }
        return max(0, limit - used)
    }
}
