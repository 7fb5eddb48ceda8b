/// The last stage of a load: symmetric tying as `transformers` 5's `tie_weights(missing_keys)`
/// (`Tying`), the tied registry, and the final report.
enum Finalizer {
    /// Ties `storages` (indexed like `model.slots`) and builds the finished model. Pairs tied
    /// from one side are reported in `tiedFromCheckpoint`, pairs whose sides differ in `untied`
    /// (and leave the registry), pairs with neither side in `tiedBothMissing`.
    static func finalize(model: MetaModel, plan: LoadPlan, storages: [TensorStorage],
                         seconds: Double) throws(PretrainedError) -> PretrainedModel {
        var storages = storages
        var report = plan.report
        let pairs = slotPairs(of: model)
        let absent = Set(plan.fills.indices.filter { !(plan.fills[$0]?.isComplete ?? false) })
        var missing: Set<Int>? = absent
        let outcomes = Tying.tie(pairs, storages: &storages, missing: &missing)
        var registry: [(target: String, source: String)] = []
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
            registry.append((target, source))
        }
        let filled = Set(absent.subtracting(missing ?? []).map { model.slots[$0].name })
        report.missing = report.missing.filter { !filled.contains($0) }.sorted()

        var parameters: [Tensor] = []
        parameters.reserveCapacity(model.slots.count)
        for (index, slot) in model.slots.enumerated() {
            parameters.append(try Tensor(name: slot.name, dtype: slot.dtype, shape: slot.shape, storage: storages[index]))
        }
        return PretrainedModel(meta: model, parameters: parameters, tiedWeights: registry, report: report, seconds: seconds)
    }

    /// The model's tied pairs as slot indices (target, source), in registry order.
    static func slotPairs(of model: MetaModel) -> [(target: Int, source: Int)] {
        model.tiedWeights.compactMap { pair -> (target: Int, source: Int)? in
            guard let target = model.index(of: pair.target), let source = model.index(of: pair.source) else { return nil }
            return (target, source)
        }
    }
}
