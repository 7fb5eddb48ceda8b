#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain threads for work that blocks in system calls (reads from a disk): unlike
/// `Parallel.map`, whose threads are the cores, a thread here waits for the device, so there may
/// be more of them than cores to keep several requests in flight.
enum WorkerThreads {
    /// Runs `body(0) ... body(count - 1)` on `count` threads at once (the calling thread is one of
    /// them) and returns when all have returned. When the system refuses a thread, fewer run: the
    /// bodies must share their work (take it from a common queue), so that any one of them
    /// finishes it alone.
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        var started: [pthread_t] = []
        for index in 1..<max(1, count) {
            guard let thread = start({ body(index) }) else { break }
            started.append(thread)
        }
        body(0)
        for thread in started { pthread_join(thread, nil) }
    }

    /// Runs `body` on a new thread nobody joins (it ends on its own), or on the calling thread
    /// when the system refuses one.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        guard let thread = start(body) else {
            body()
            return
        }
        pthread_detach(thread)
    }

    /// A new thread running `body`, or `nil` when `pthread_create` fails.
    private static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let code = pthread_create(&thread, nil, { context in
            #if canImport(Darwin)
            Unmanaged<Body>.fromOpaque(context).takeRetainedValue().body()
            #else
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().body()
            #endif
            return nil
        }, context)
        guard code == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    private final class Body: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
