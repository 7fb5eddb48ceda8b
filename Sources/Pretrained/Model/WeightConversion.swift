/// A change between a checkpoint's layout and an architecture's slots, applied while planning a
/// load, as `transformers` 5's conversion mapping does.
public enum WeightConversion: Sendable, Hashable {
    /// Replace every match of the regular expression `pattern` in a checkpoint key with
    /// `replacement` (`.block_sparse_moe.` -> `.mlp.`).
    case rename(pattern: String, replacement: String)
    /// Fuse per-expert tensors into one slot: each of `sources` is a key fragment with `*` for the
    /// expert index (`.experts.*.w1.weight`); the slot is the fragment replaced by `target`
    /// (`.experts.gate_up_proj`). Experts are stacked along dimension 0, then the sources are
    /// concatenated along dimension 1, so expert `e`, source `s` lands at block `e * sources + s`.
    case mergeExperts(sources: [String], target: String)
    /// Cut one checkpoint tensor into `targets.count` equal chunks along dimension 0 (`transformers`'
    /// `Chunk(dim=0)`): the key fragment `source` (`attn.Wqkv`) replaced by `targets[i]`
    /// (`self_attn.q_proj`) names the slot of chunk `i`. Each chunk is a contiguous byte range of the
    /// stored tensor, so it can still be a zero-copy view.
    case split(source: String, targets: [String])
}

extension WeightConversion {
    /// The renames every architecture applies (`transformers`' legacy renames): `LayerNorm.gamma`
    /// -> `LayerNorm.weight`, `LayerNorm.beta` -> `LayerNorm.bias`, and weight-norm
    /// parametrizations `weight_g`/`weight_v`.
    public static let legacy: [WeightConversion] = [
        .rename(pattern: #"LayerNorm\.gamma(?!\w)"#, replacement: "LayerNorm.weight"),
        .rename(pattern: #"LayerNorm\.beta(?!\w)"#, replacement: "LayerNorm.bias"),
        .rename(pattern: #"\.weight_g$"#, replacement: ".parametrizations.weight.original0"),
        .rename(pattern: #"\.weight_v$"#, replacement: ".parametrizations.weight.original1"),
    ]
}
