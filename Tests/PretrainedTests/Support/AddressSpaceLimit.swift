import Foundation
@testable import Pretrained

/// Limits this process's address space (`RLIMIT_AS`) to what it maps now plus `extra` bytes: for
/// child processes that prove an allocation fails as a typed error instead of aborting.
/// Ends the process with status 2 or 3 when the limit cannot be read or set.
func limitAddressSpace(toCurrentPlus extra: Int) {
    #if os(Linux)
    let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
    #else
    let resource = RLIMIT_AS
    #endif
    var limit = rlimit()
    guard getrlimit(resource, &limit) == 0 else { exit(2) }
    limit.rlim_cur = min(limit.rlim_max, rlim_t((AddressSpace.used ?? 0) + extra))
    guard setrlimit(resource, &limit) == 0 else { exit(3) }
}
