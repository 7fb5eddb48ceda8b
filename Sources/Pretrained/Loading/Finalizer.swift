#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The last stage of a load: symmetric tying as `transformers` 5's `tie_weights(missing_keys)`,
/// the tied registry, and the final report.
enum Finalizer {
    /// Ties `storages` (indexed like `model.slots`) and builds the finished model.
    ///
    /// For each tied pair (target, source), in order:
    /// - source present, target absent: the target shares the source's storage;
    /// - only the target present: the source shares the target's storage (reported in
    ///   `tiedFromCheckpoint`);
    /// - both present and equal: tied; both present and different: not tied, the pair leaves the
    ///   registry (reported in `untied`);
    /// - both absent: when one side was reinitialized at its model shape (a shape mismatch under
    ///   `ignoreMismatchedSizes`), the other shares it and is not missing; else the source is
    ///   borrowed from a later pair with the same source whose target is present; failing that
    ///   both stay missing, still tied (reported in `tiedBothMissing`).
    static func finalize(model: MetaModel, plan: LoadPlan, storages: [TensorStorage],
                         seconds: Double) throws(PretrainedError) -> PretrainedModel {
        var storages = storages
        var present = plan.fills.map { $0?.isComplete ?? false }
        var report = plan.report
        var registry: [(target: String, source: String)] = []
        var filled = Set<Int>()
        let reinitialized = Set(plan.report.mismatched.compactMap { model.index(of: $0.name) })
        let pairs = model.tiedWeights.compactMap { pair -> (target: Int, source: Int, names: (String, String))? in
            guard let target = model.index(of: pair.target), let source = model.index(of: pair.source) else { return nil }
            return (target, source, (pair.target, pair.source))
        }
        for (position, pair) in pairs.enumerated() {
            let (target, source) = (pair.target, pair.source)
            switch (present[source], present[target]) {
            case (true, false):
                storages[target] = storages[source]
                filled.insert(target)
            case (false, true):
                storages[source] = storages[target]
                present[source] = true
                filled.insert(source)
                report.tiedFromCheckpoint.append(.init(filled: pair.names.1, from: pair.names.0))
            case (true, true):
                guard Self.equal(storages[source], storages[target]) else {
                    report.untied.append(.init(target: pair.names.0, source: pair.names.1))
                    continue
                }
                storages[target] = storages[source]
            case (false, false):
                let donor = pairs[(position + 1)...].first { $0.source == source && present[$0.target] }
                if reinitialized.contains(source) || reinitialized.contains(target) {
                    // A side reinitialized at its model shape (`ignore_mismatched_sizes`) is not
                    // missing: the other side shares it, as `transformers` ties it.
                    if reinitialized.contains(target) && !reinitialized.contains(source) { storages[source] = storages[target] }
                    filled.insert(source)
                    filled.insert(target)
                } else if let donor {
                    storages[source] = storages[donor.target]
                    present[source] = true
                    filled.insert(source)
                    filled.insert(target)
                    report.tiedFromCheckpoint.append(.init(filled: pair.names.1, from: model.slots[donor.target].name))
                } else {
                    report.tiedBothMissing.append(.init(target: pair.names.0, source: pair.names.1))
                }
                storages[target] = storages[source]
            }
            registry.append((pair.names.0, pair.names.1))
        }
        let filledNames = Set(filled.map { model.slots[$0].name })
        report.missing = report.missing.filter { !filledNames.contains($0) }.sorted()

        var parameters: [Tensor] = []
        parameters.reserveCapacity(model.slots.count)
        for (index, slot) in model.slots.enumerated() {
            parameters.append(try Tensor(name: slot.name, dtype: slot.dtype, shape: slot.shape, storage: storages[index]))
        }
        return PretrainedModel(meta: model, parameters: parameters, tiedWeights: registry, report: report, seconds: seconds)
    }

    /// Whether two storages hold the same bytes (or are the same storage).
    static func equal(_ a: TensorStorage, _ b: TensorStorage) -> Bool {
        if a === b { return true }
        guard a.count == b.count else { return false }
        guard let left = a.bytes.baseAddress, let right = b.bytes.baseAddress else { return true }
        return memcmp(left, right, a.count) == 0
    }
}
