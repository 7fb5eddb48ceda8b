import Synchronization

/// A test hook that records the files the library opens and the safetensors headers it parses,
/// so a test can prove that a load opens each shard once. Off unless a test turns it on; when
/// off, recording costs one lock per open.
enum FileAccessTrace {
    enum Event: Hashable, Sendable {
        /// A file opened (`open(2)`), by path.
        case opened(String)
        /// A safetensors header parsed, by the path of its file.
        case parsedHeader(String)
    }

    private static let events = Mutex<[Event]?>(nil)

    static func record(_ event: Event) {
        events.withLock { $0?.append(event) }
    }

    /// Runs `body` with recording on and returns every event recorded meanwhile (by any thread:
    /// filter by path when other work may run at the same time).
    static func recording(_ body: () throws -> Void) rethrows -> [Event] {
        events.withLock { $0 = [] }
        defer { events.withLock { $0 = nil } }
        try body()
        return events.withLock { $0 ?? [] }
    }
}
