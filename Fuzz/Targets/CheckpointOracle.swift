#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Pretrained

/// Checks checkpoint resolution and the cross-checks between an index and its shards.
public enum CheckpointOracle {
    /// Writes `data` as the index of the workspace's fixed checkpoint (`IndexFixture`) and checks
    /// the checkpoint.
    public static func checkIndex(_ data: UnsafeRawBufferPointer, in workspace: FuzzWorkspace)
        throws(InvariantViolation) -> FuzzOutcome
    {
        let folder: String
        do {
            folder = try workspace.indexFixture()
            try workspace.write(IndexFixture.folder + "/" + Checkpoint.indexFileName, bytes: data)
        } catch {
            throw InvariantViolation("could not write the input: \(error)")
        }
        return try check(path: folder)
    }

    /// Resolves `path` (a folder, index or file) and reads every shard's header; an accepted
    /// checkpoint must keep its shards inside its folder, hold every tensor its index names in
    /// the shard named, and open cleanly through `SafetensorsOracle`.
    public static func check(path: String) throws(InvariantViolation) -> FuzzOutcome {
        let checkpoint: Checkpoint
        let headers: OpenedCheckpoint
        do {
            checkpoint = try Checkpoint.resolve(path)
            headers = try OpenedCheckpoint.open(checkpoint)
        } catch {
            return .rejected(error.description)
        }
        if let index = checkpoint.index {
            try require(checkpoint.shards.map(\.name) == index.shardNames, "shards are not the index's shard names")
            guard let root = canonical(checkpoint.directory) else {
                throw InvariantViolation("the checkpoint folder does not resolve")
            }
            for shard in checkpoint.shards {
                guard let real = canonical(shard.path) else { throw InvariantViolation("shard '\(shard.name)' does not resolve") }
                try require(real.hasPrefix(root.hasSuffix("/") ? root : root + "/"), "shard '\(shard.name)' resolves outside: \(real)")
            }
            var holder: [[UInt8]: String] = [:]
            for entry in headers.shards {
                for info in entry.header.tensors { holder[Array(info.name.utf8)] = entry.shard.name }
            }
            for (tensor, shard) in index.weightMap {
                try require(holder[Array(tensor.utf8)] == shard, "index maps '\(tensor)' to '\(shard)', which does not hold it")
            }
        }
        try require(headers.shards.count == checkpoint.shards.count, "a shard has no header")
        for entry in headers.shards {
            let outcome = try SafetensorsOracle.check(path: entry.shard.path)
            try require(outcome == .accepted, "shard '\(entry.shard.name)' passed the header check but not the full open: \(outcome)")
        }
        return .accepted
    }

    /// `realpath(3)` of `path`, or `nil`.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
