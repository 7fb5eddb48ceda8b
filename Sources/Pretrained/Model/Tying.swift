#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Weight tying as `transformers` 5's `PreTrainedModel.tie_weights(missing_keys=...)`: the one
/// implementation behind a load's finalizing step and `PretrainedModel.tieWeights`.
enum Tying {
    /// What tying did with one pair.
    enum Outcome: Equatable {
        /// The target shares the source's storage.
        case tied
        /// The source was missing and now shares the storage of `from` (the pair's own target,
        /// or the present target of a later pair with the same source); the target shares it too.
        case sourceFilled(from: Int)
        /// Both sides are present with different values: left as they are, and the pair leaves
        /// the tied registry.
        case untied
        /// Neither side is present and no other pair has a present target for the source: tied,
        /// and both stay missing (the checkpoint looks corrupted).
        case bothMissing
    }

    /// Ties `pairs` (target, source slot indices, in registry order) over `storages`.
    ///
    /// Without `missing` (a call by hand), every target shares its source's storage. With it (a
    /// load), tying is symmetric:
    /// - source present: the target shares it (both present: only when their bytes are equal);
    /// - only the target present: the source shares the target's storage;
    /// - both absent: the source is borrowed from a later pair with the same source whose target
    ///   is present; failing that both stay missing, still tied.
    /// Slots filled by tying leave `missing`.
    ///
    /// - Returns: each pair's outcome, in order.
    static func tie(_ pairs: [(target: Int, source: Int)], storages: inout [TensorStorage],
                    missing: inout Set<Int>?) -> [Outcome] {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(pairs.count)
        for (position, (target, source)) in pairs.enumerated() {
            guard var absent = missing else {
                storages[target] = storages[source]
                outcomes.append(.tied)
                continue
            }
            defer { missing = absent }
            switch (absent.contains(source), absent.contains(target)) {
            case (false, _):
                if !absent.contains(target) && !equal(storages[source], storages[target]) {
                    outcomes.append(.untied)
                    continue
                }
                outcomes.append(.tied)
            case (true, false):
                storages[source] = storages[target]
                absent.remove(source)
                outcomes.append(.sourceFilled(from: target))
            case (true, true):
                let donor = pairs[(position + 1)...].first { $0.source == source && !absent.contains($0.target) }
                guard let donor else {
                    storages[target] = storages[source]
                    outcomes.append(.bothMissing)
                    continue
                }
                storages[source] = storages[donor.target]
                absent.remove(source)
                outcomes.append(.sourceFilled(from: donor.target))
            }
            storages[target] = storages[source]
            absent.remove(target)
        }
        return outcomes
    }

    /// Whether two storages hold the same bytes (or are the same storage).
    static func equal(_ a: TensorStorage, _ b: TensorStorage) -> Bool {
        if a === b { return true }
        guard a.count == b.count else { return false }
        guard let left = a.bytes.baseAddress, let right = b.bytes.baseAddress else { return true }
        return memcmp(left, right, a.count) == 0
    }
}
