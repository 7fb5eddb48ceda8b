/// The slice of each parameter one rank holds under the collected tp plan, with `transformers`
/// 5.23's semantics (`distributed/tensor_parallel.py`): each style's `shard_param` places a
/// parameter as `Shard(dim)` (chunked as `torch.chunk` does: chunks of ⌈n / size⌉, the last ranks
/// shorter or empty) or leaves it replicated.
///
/// | style | weight | bias (1-d) |
/// | --- | --- | --- |
/// | `colwise`, `colwise_gather_output`, `colwise_rep` | dim ndim-2 | dim 0 |
/// | `rowwise`, `rowwise_split_input`, `rowwise_rep` | dim ndim-1 | replicated |
/// | `embedding_rowwise` / `embedding_colwise` | dim 0 / dim 1 | |
/// | `packed_colwise` | dim ndim-2, each of 2 packed parts chunked | dim 0 |
/// | `packed_rowwise` | dim ndim-1, each of 2 packed parts chunked | replicated |
/// | `replicate`, `replicated_with_grad_allreduce`, `sequence_parallel`, `all_reduce`, `moe_tp_experts`, ... | replicated | replicated |
///
/// A parameter's style is the plan's entry for its name with layer numbers replaced by `*`, else
/// the entry for its module (as `_get_parameter_plan`). Buffers are never sharded.
public enum TensorParallelSlicing {
    /// Styles whose `shard_param` is the base class's no-op: the parameter stays whole on every rank.
    static let replicatedStyles: Set<String> = [
        "replicate", "replicated_with_grad_allreduce", "sequence_parallel", "all_reduce", "mla_kv_a_proj",
        "moe_tp_experts", "moe_identity_expert", "local_params",
    ]

    /// Per slot of `model` (indexed like `model.slots`), the slice `tp.rank` holds, `nil` for a
    /// replicated slot; every slot is replicated when `tp.size` is 1 (`transformers` applies no
    /// plan then).
    ///
    /// - Throws: `PretrainedError.invalidTensorParallel` for a model without a tp plan (as
    ///   `transformers` refuses it), a style not known to `transformers`,
    ///   or a packed dimension that does not split into its parts, naming the parameter.
    public static func slices(for model: MetaModel, tp: TensorParallelRank) throws(PretrainedError) -> [TensorSlice?] {
        guard tp.size > 1 else { return Array(repeating: nil, count: model.slots.count) }
        guard !model.plans.tp.isEmpty else {
            // transformers: "`tp_size=N` was requested, but `Class` has no `tp_plan`".
            throw .invalidTensorParallel(reason: "a size of \(tp.size) was requested, but \(model.architecture.name) "
                + "has no tp plan")
        }
        var plan: [String: String] = [:]
        for entry in model.plans.tp { plan[entry.pattern] = entry.strategy }
        return try model.slots.map { slot throws(PretrainedError) -> TensorSlice? in
            guard slot.kind == .parameter, let style = style(of: slot.name, plan: plan),
                  let dim = try shardDimension(style: style, slot: slot) else { return nil }
            let parts = packedParts(style: style, slot: slot)
            guard slot.shape[dim] % parts == 0 else {
                throw .invalidTensorParallel(reason: "'\(slot.name)' is planned '\(style)', but its dimension \(dim) "
                    + "(\(slot.shape[dim])) does not split into \(parts) packed parts")
            }
            let part = slot.shape[dim] / parts
            let ranges = (0..<parts).map { index in
                let (start, length) = chunk(part, rank: tp.rank, size: tp.size)
                return (index * part + start)..<(index * part + start + length)
            }
            return TensorSlice(dim: dim, ranges: ranges, fullShape: slot.shape)
        }
    }

    /// How many packed parts `style` splits `slot` into before chunking each: 2 for the packed
    /// styles' `_StridedShard(dim, split_factor=2)` on a weight of 2 or more dimensions (fused
    /// gate/up), 1 for a plain `Shard`.
    static func packedParts(style: String, slot: TensorSlot) -> Int {
        (style == "packed_colwise" || style == "packed_rowwise") && slot.shape.count >= 2 ? 2 : 1
    }

    /// The dimension `style` shards `slot` on, or `nil` when it leaves it replicated.
    static func shardDimension(style: String, slot: TensorSlot) throws(PretrainedError) -> Int? {
        let rank = slot.shape.count
        let isBias = slot.name.split(separator: ".").last == "bias"
        switch style {
        case "colwise", "colwise_gather_output", "colwise_rep":
            guard rank >= 1 else { break }
            return rank >= 2 ? rank - 2 : 0
        case "rowwise", "rowwise_split_input", "rowwise_rep":
            guard rank >= 1 else { break }
            return isBias ? nil : rank - 1
        case "embedding_rowwise":
            guard rank >= 1 else { break }
            return 0
        case "embedding_colwise":
            guard rank >= 2 else { break }
            return 1
        case "packed_colwise":
            guard rank >= 1 else { break }
            return rank >= 2 ? rank - 2 : 0
        case "packed_rowwise":
            guard rank >= 1 else { break }
            return rank == 1 ? nil : rank - 1
        case _ where replicatedStyles.contains(style):
            return nil
        default:
            throw .invalidTensorParallel(reason: "'\(slot.name)' is planned '\(style)', not a transformers tp style")
        }
        throw .invalidTensorParallel(reason: "'\(slot.name)' has shape \(slot.shape), which '\(style)' cannot shard")
    }

    /// The style of parameter `name` in `plan` (patterns with `*` for layer numbers), as
    /// `transformers`' `_get_parameter_plan(name, plan, is_weight=True)`.
    static func style(of name: String, plan: [String: String]) -> String? {
        let generic = wildcard(name)
        if let style = plan[generic] { return style }
        guard let dot = generic.lastIndex(of: ".") else { return nil }
        return plan[String(generic[..<dot])]
    }

    /// `name` with every number between dots (or after the last dot) replaced by `*`, as
    /// `replace_layer_number_by_wildcard` (`re.sub(r"\.\d+(\.|$)", ...)`): a dot consumed by one
    /// match does not start the next.
    static func wildcard(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        var i = 0
        while i < characters.count {
            if characters[i] == "." {
                var j = i + 1
                while j < characters.count, characters[j].isASCII, characters[j].isNumber { j += 1 }
                if j > i + 1, j == characters.count || characters[j] == "." {
                    result += ".*"
                    if j < characters.count { result += "." }
                    i = j + 1
                    continue
                }
            }
            result.append(characters[i])
            i += 1
        }
        return result
    }

    /// Rank `rank`'s chunk of `count` indices split `size` ways as `torch.chunk` (DTensor's
    /// `Shard`): chunks of ⌈count / size⌉, so the last ranks may hold fewer, or none.
    public static func chunk(_ count: Int, rank: Int, size: Int) -> (start: Int, length: Int) {
        let step = (count + size - 1) / size
        let start = min(rank * step, count)
        return (start, max(0, min(step, count - start)))
    }
}

extension MetaModel {
    /// The skeleton with each sliced slot at its local shape (`slices` indexed like `slots`).
    func slicedForTensorParallel(_ slices: [TensorSlice?]) -> MetaModel {
        var copy = self
        for (index, slice) in slices.enumerated() {
            if let slice { copy.slots[index].shape = slice.localShape }
        }
        return copy
    }
}
