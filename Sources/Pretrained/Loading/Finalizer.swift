/// The last stage of a load: symmetric tying as `transformers` 5's `tie_weights(missing_keys)`
/// (`Tying`), the tied registry, and the final report.
enum Finalizer {
    /// Ties `storages` (indexed like `model.slots`) and builds the finished model. Pairs tied
    /// from one side are reported in `tiedFromCheckpoint`, pairs whose sides differ in `untied`
    /// (and leave the registry), pairs with neither side in `tiedBothMissing`. A slot
    /// reinitialized at its model shape (a shape mismatch under `ignoreMismatchedSizes`) is not
    /// missing, as in `transformers`: its tied partner shares it.
    static func finalize(model: MetaModel, plan: LoadPlan, storages: [TensorStorage], initializationSeed: UInt64,
                         seconds: Double) throws(PretrainedError) -> PretrainedModel {
        var storages = storages
        var report = plan.report
        let reinitialized = plan.reinitializedSlots(of: model)
        let pairs = slotPairs(of: model)
        let absent = plan.absentSlots(of: model)
        var missing: Set<Int>? = absent
        let outcomes = Tying.tie(pairs, storages: &storages, missing: &missing)
        var registry: [TiedPair] = []
        for (pair, outcome) in zip(pairs, outcomes) {
            let (target, source) = (model.slots[pair.target].name, model.slots[pair.source].name)
            switch outcome {
            case .tied: break
            case .sourceFilled(let from):
                report.tiedFromCheckpoint.append(.init(filled: source, from: model.slots[from].name))
            case .untied:
                report.untied.append(.init(target: target, source: source))
                continue
            case .bothMissing:
                report.tiedBothMissing.append(.init(target: target, source: source))
            }
            registry.append(TiedPair(target: target, source: source))
        }
        let filled = Set(absent.subtracting(missing ?? []).map { model.slots[$0].name })
        report.missing = report.missing.filter { !filled.contains($0) }.sorted()
        report.initialized = try initialize((missing ?? []).union(reinitialized).sorted(), of: model, plan: plan,
                                            storages: storages, seed: initializationSeed, report: &report)

        var parameters: [Tensor] = []
        parameters.reserveCapacity(model.slots.count)
        for (index, slot) in model.slots.enumerated() {
            parameters.append(try Tensor(name: slot.name, dtype: slot.dtype, shape: slot.shape, storage: storages[index]))
        }
        return PretrainedModel(meta: model, parameters: parameters, tiedWeights: registry, report: report, seconds: seconds)
    }

    /// The most bytes of missing parameters a load initializes beyond what the checkpoint holds:
    /// initializing writes every page, where zero-filled slots cost no memory until touched, so a
    /// tiny checkpoint with a huge config must not make the load write gigabytes.
    static let initializationAllowance = 64 << 20

    /// Initializes the parameters among `slots` that the checkpoint provided nothing of, as
    /// `transformers` initializes missing keys with `_init_weights`, once per storage (tied
    /// slots share one), in slot order from one seeded generator; nothing when they hold more
    /// than the checkpoint's bytes plus `initializationAllowance` (they stay zero-filled and
    /// `report.warnings` says so).
    ///
    /// - Returns: the names initialized, sorted.
    static func initialize(_ slots: [Int], of model: MetaModel, plan: LoadPlan, storages: [TensorStorage],
                           seed: UInt64, report: inout LoadReport) throws(PretrainedError) -> [String] {
        let candidates = slots.filter { plan.fills[$0] == nil && model.slots[$0].kind == .parameter }
        guard !candidates.isEmpty else { return [] }
        let bytes = candidates.reduce(0) { $0 + model.slots[$1].byteCount }
        let provided = plan.fills.reduce(0) { $0 + ($1?.pieces.reduce(0) { $0 + $1.info.byteCount } ?? 0) }
        guard bytes <= provided + initializationAllowance else {
            report.warnings.append("\(candidates.count) missing parameters (\(bytes) bytes, more than the "
                + "\(provided) bytes the checkpoint provides) are left zero-filled instead of initialized")
            return []
        }
        let rules = try WeightInitialization.rules(for: model)
        var generator = NormalGenerator(seed: seed)
        var done = Set<ObjectIdentifier>()
        for index in candidates where done.insert(ObjectIdentifier(storages[index])).inserted {
            WeightInitialization.fill(storages[index], slot: model.slots[index], rule: rules[index], generator: &generator)
        }
        return candidates.map { model.slots[$0].name }.sorted()
    }

    /// The model's tied pairs as slot indices (target, source), in registry order.
    static func slotPairs(of model: MetaModel) -> [(target: Int, source: Int)] {
        model.tiedWeights.compactMap { pair -> (target: Int, source: Int)? in
            guard let target = model.index(of: pair.target), let source = model.index(of: pair.source) else { return nil }
            return (target, source)
        }
    }
}
