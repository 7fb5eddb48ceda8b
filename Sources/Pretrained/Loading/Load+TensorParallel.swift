/// The skeleton, plan and layout of one rank: slots at their local shapes and pieces cut to the
/// rank's bytes when `tp` is set, the full ones (and no layout) otherwise.
func tensorParallelSlice(_ model: MetaModel, plan: LoadPlan,
                         tp: TensorParallelRank?) throws(PretrainedError) -> (MetaModel, LoadPlan, TensorParallelLayout?) {
    guard let tp else { return (model, plan, nil) }
    let slices = try TensorParallelSlicing.slices(for: model, tp: tp)
    var named: [String: TensorSlice] = [:]
    for (slot, slice) in zip(model.slots, slices) { if let slice { named[slot.name] = slice } }
    try checkTiedSlices(model, named: named)
    let layout = TensorParallelLayout(rank: tp.rank, size: tp.size, slices: named)
    return (model.slicedForTensorParallel(slices), try plan.sliced(slices, model: model), layout)
}

/// Tied pairs share one storage on each rank, so both sides must be sliced alike (embeddings and
/// heads are, in every plan `transformers` ships).
private func checkTiedSlices(_ model: MetaModel, named: [String: TensorSlice]) throws(PretrainedError) {
    for pair in model.tiedWeights where named[pair.target] != named[pair.source] {
        throw .invalidTensorParallel(reason: "tied '\(pair.target)' and '\(pair.source)' are sliced differently "
            + "(\(named[pair.target].map { "dim \($0.dim)" } ?? "whole") and \(named[pair.source].map { "dim \($0.dim)" } ?? "whole"))")
    }
}
