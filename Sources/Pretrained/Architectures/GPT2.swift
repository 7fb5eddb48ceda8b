/// GPT-2 (`GPT2Model`, `GPT2LMHeadModel`), with `GPT2Config`'s defaults.
struct GPT2Architecture: Architecture {
    let name: String
    let modelType = "gpt2"
    let baseModelPrefix = "transformer"
    let noSplitModules = ["GPT2Block"]
    // Legacy `attn.masked_bias` buffers are not in the list: transformers 5.23 reports them unexpected.
    let ignoreOnLoadUnexpected = ["attn.bias", "crossattention.bias"]

    var isBaseModel: Bool { name == "GPT2Model" }

    var tiedWeightsKeys: [(target: String, source: String)] {
        isBaseModel ? [] : [("lm_head.weight", "transformer.wte.weight")]
    }

    func build(_ config: ModelConfig) throws(PretrainedError) -> Module {
        let vocab = try config.positiveInt("vocab_size", default: 50257)
        let hidden = try config.positiveInt("n_embd", default: 768)
        let base = try Self.transformer(config, vocab: vocab, hidden: hidden)
        if isBaseModel { return base }
        return Module(name, children: [("transformer", base), ("lm_head", .linear(in: hidden, out: vocab, bias: false))])
    }

    static func transformer(_ config: ModelConfig, vocab: Int, hidden: Int) throws(PretrainedError) -> Module {
        let positions = try config.positiveInt("n_positions", default: 1024)
        let layers = try config.count("n_layer", default: 12)
        let inner = try config.positiveInt("n_inner", default: 4 * hidden)
        _ = try config.attentionHeads("n_head", default: 12, dividing: ("n_embd", hidden))
        let crossAttention = try config.bool("add_cross_attention", default: false)
        let activation = try Activation.module(config, key: "activation_function", default: "gelu_new")
        let block = Self.block(hidden: hidden, inner: inner, crossAttention: crossAttention, activation: activation)
        return Module("GPT2Model", children: [
            ("wte", .embedding(vocab, hidden)),
            ("wpe", .embedding(positions, hidden)),
            ("drop", .dropout),
            ("h", .list(Array(repeating: block, count: layers))),
            ("ln_f", .layerNorm(hidden)),
        ])
    }

    /// `Conv1D(nf, nx)`: weight `[nx, nf]` (transposed relative to `Linear`), bias `[nf]`.
    static func conv1D(out: Int, in inputs: Int) -> Module {
        Module("Conv1D", entries: [.init("weight", [inputs, out]), .init("bias", [out])])
    }

    static func block(hidden: Int, inner: Int, crossAttention: Bool, activation: Module) -> Module {
        let dropouts: [(String, Module)] = [("attn_dropout", .dropout), ("resid_dropout", .dropout)]
        var children: [(String, Module)] = [
            ("ln_1", .layerNorm(hidden)),
            ("attn", Module("GPT2Attention", children: [("c_attn", conv1D(out: 3 * hidden, in: hidden)),
                                                        ("c_proj", conv1D(out: hidden, in: hidden))] + dropouts)),
            ("ln_2", .layerNorm(hidden)),
        ]
        if crossAttention {
            children.append(("crossattention", Module("GPT2Attention", children: [
                ("c_attn", conv1D(out: 2 * hidden, in: hidden)),
                ("q_attn", conv1D(out: hidden, in: hidden)),
                ("c_proj", conv1D(out: hidden, in: hidden)),
            ] + dropouts)))
            children.append(("ln_cross_attn", .layerNorm(hidden)))
        }
        children.append(("mlp", Module("GPT2MLP", children: [("c_fc", conv1D(out: inner, in: hidden)),
                                                             ("c_proj", conv1D(out: hidden, in: inner)),
                                                             ("act", activation), ("dropout", .dropout)])))
        return Module("GPT2Block", children: children)
    }
}
