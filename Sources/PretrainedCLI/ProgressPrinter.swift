import Pretrained

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-shard progress on a terminal's stderr, shown only once a load has taken half a second.
struct ProgressPrinter {
    let start = monotonicNow()

    var callback: @Sendable (LoadProgress) -> Void {
        let start = self.start
        return { progress in
            guard monotonicNow() - start > 0.5 else { return }
            let percent = progress.totalBytes > 0 ? 100 * progress.bytesDone / progress.totalBytes : 100
            let end = progress.shardsDone == progress.shardCount ? "\n" : ""
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
