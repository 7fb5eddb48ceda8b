import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Running independent pieces of work on all cores.
package enum Parallel {
    /// The number of processors currently online (`sysconf(_SC_NPROCESSORS_ONLN)`), at least 1.
    package static var activeProcessors: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// `body(0) ... body(count - 1)`, run concurrently (`DispatchQueue.concurrentPerform`); the
    /// results in index order.
    ///
    /// `body` must be safe to call from several threads at once: each call may only write memory
    /// no other call touches. (That is the promise the unchecked box below stands for.)
    package static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        guard count > 1 else { return count == 1 ? [body(0)] : [] }
        return withoutActuallyEscaping(body) { body in
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                let work = UncheckedSendable((body: body, results: buffer))
                DispatchQueue.concurrentPerform(iterations: count) { index in
                    work.value.results.initializeElement(at: index, to: work.value.body(index))
                }
                initialized = count
            }
        }
    }
}

/// A value handed to concurrent work whose thread safety the code using it guarantees.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
