import Pretrained

/// Checks `load(pretrained:)` on a hostile shard beside a fixed, valid, tiny GPT-2 config.
///
/// The default load (zero-copy views), the `.pread` backend and `copy: true` must agree: all fail
/// with the same error, or all load the same parameters with the same bytes and report. Loads at
/// other dtypes (F16, BF16, F32) and with `ignoreMismatchedSizes` must only end in a typed outcome.
public enum LoadOracle {
    /// The config the shard is loaded against: 1 layer, 8 wide, 16 tokens, 8 positions.
    public static let config = """
        {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 1,
         "n_positions": 8, "vocab_size": 16, "n_inner": null, "tie_word_embeddings": true, "dtype": "float32",
         "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new", "initializer_range": 0.02}
        """

    /// Writes `data` as the checkpoint's `model.safetensors` and loads it every way.
    public static func check(_ data: UnsafeRawBufferPointer, in workspace: FuzzWorkspace) throws(InvariantViolation) -> FuzzOutcome {
        let folder: String
        do {
            folder = try workspace.makeFolder("load")
            try workspace.write("load/config.json", bytes: Array(config.utf8))
            try workspace.write("load/model.safetensors", bytes: data)
        } catch {
            throw InvariantViolation("could not write the input: \(error)")
        }
        let ways: [(String, LoadOptions)] = [
            ("views", LoadOptions()), ("pread", LoadOptions(backend: .pread)), ("copy", LoadOptions(copy: true)),
        ]
        var first: (name: String, result: Result<PretrainedModel, PretrainedError>)?
        for (name, options) in ways {
            let result = Result { () throws(PretrainedError) in try load(pretrained: folder, options: options) }
            if let first { try requireSame(first, (name, result)) } else { first = (name, result) }
        }
        for options in [LoadOptions(dtype: .fixed(.f16)), LoadOptions(dtype: .fixed(.bf16)),
                        LoadOptions(dtype: .fixed(.f32), copy: true), LoadOptions(ignoreMismatchedSizes: true)] {
            if case .success(let model) = Result(catching: { () throws(PretrainedError) in try load(pretrained: folder, options: options) }) {
                for tensor in model.parameters { _ = tensor.withUnsafeBytes { $0.reduce(0 as UInt8, &+) } }
            }
        }
        switch first?.result {
        case .failure(let error)?: return .rejected(error.description)
        default: return .accepted
        }
    }

    /// Two loads of the same checkpoint that must agree.
    static func requireSame(_ a: (name: String, result: Result<PretrainedModel, PretrainedError>),
                            _ b: (name: String, result: Result<PretrainedModel, PretrainedError>)) throws(InvariantViolation) {
        switch (a.result, b.result) {
        case let (.failure(x), .failure(y)):
            try require(x == y, "\(a.name) fails with '\(x)', \(b.name) with '\(y)'")
        case let (.success(x), .success(y)):
            try require(x.report == y.report, "\(a.name) and \(b.name) report differently")
            try require(x.parameters.map(\.name) == y.parameters.map(\.name), "\(a.name) and \(b.name) load different names")
            // Missing and mismatched slots may be initialized at random; compare what the file gave.
            let skipped = Set(x.report.missing + x.report.mismatched.map(\.name))
            for (p, q) in zip(x.parameters, y.parameters) where !skipped.contains(p.name) {
                let same = p.dtype == q.dtype && p.shape == q.shape
                    && p.withUnsafeBytes { pb in q.withUnsafeBytes { qb in pb.elementsEqual(qb) } }
                try require(same, "'\(p.name)' differs between \(a.name) and \(b.name)")
            }
        default:
            throw InvariantViolation("\(a.name) \(outcome(a.result)) but \(b.name) \(outcome(b.result))")
        }
    }

    static func outcome(_ result: Result<PretrainedModel, PretrainedError>) -> String {
        switch result {
        case .success: return "loads"
        case .failure(let error): return "fails with '\(error)'"
        }
    }
}
