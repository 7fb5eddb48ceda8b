import Pretrained
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress on a terminal's stderr, by bytes within a shard and by shard, shown only once a load
/// has taken half a second and redrawn at most ten times a second (and when the last shard ends).
struct ProgressPrinter {
    let start = monotonicNow()

    var callback: @Sendable (LoadProgress) -> Void {
        let start = self.start
        let lastDrawn = Mutex(0.0)
        return { progress in
            let now = monotonicNow()
            let finished = progress.shardsDone == progress.shardCount
            guard now - start > 0.5 else { return }
            guard lastDrawn.withLock({ last in
                guard finished || now - last >= 0.1 else { return false }
                last = now
                return true
            }) else { return }
            let percent = progress.totalBytes > 0 ? 100 * progress.bytesDone / progress.totalBytes : 100
            let end = finished ? "\n" : ""
            printError("\r\u{1B}[Kloading: shard \(progress.shardsDone)/\(progress.shardCount), "
                + "\(ByteCount.format(progress.bytesDone)) of \(ByteCount.format(progress.totalBytes)) (\(percent)%)" + end,
                newline: false)
        }
    }
}

func monotonicNow() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
