/// A change between a checkpoint's layout and an architecture's slots, applied while planning a
/// load, as `transformers` 5's conversion mapping does.
public enum WeightConversion: Sendable, Hashable {
    /// Rename a checkpoint key as `transformers`' `WeightRenaming` does: `pattern` (a regular
    /// expression; `*.` stands for any run of characters before a dot, and a pattern ending in a
    /// letter or digit ends on a name boundary) is searched in the key, and its first match replaced
    /// by `replacement`, in which `\1` stands for the pattern's first group (`.block_sparse_moe.` -> `.mlp.`).
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
    /// -> `LayerNorm.weight`, `LayerNorm.beta` -> `LayerNorm.bias`, weight-norm
    /// parametrizations `weight_g`/`weight_v`, and the doubled `language_model.model` prefix.
    public static let legacy: [WeightConversion] = [
        // transformers 5.23's `legacy` mapping, pattern for pattern (see `rename` for how they read).
        .rename(pattern: "LayerNorm.gamma", replacement: "LayerNorm.weight"),
        .rename(pattern: "LayerNorm.beta", replacement: "LayerNorm.bias"),
        .rename(pattern: ".weight_g", replacement: ".parametrizations.weight.original0"),
        .rename(pattern: ".weight_v", replacement: ".parametrizations.weight.original1"),
        // Checkpoints saved with a doubled `.model.model` by transformers 5.10 to 5.23.
        .rename(pattern: #"^model\.language_model\.model"#, replacement: "model.language_model"),
        .rename(pattern: #"^language_model\.model\.model"#, replacement: "model.language_model"),
    ]
}
