/// Layer constructors several families share beyond `Module`'s own (`linear`, `embedding`, ...).
extension Module {
    /// `nn.Conv1d(inputs, outputs, kernel, groups:)`: weight `[outputs, inputs / groups, kernel]`, bias `[outputs]`.
    static func conv1d(in inputs: Int, out outputs: Int, kernel: Int, groups: Int = 1, bias: Bool = true) -> Module {
        Module("Conv1d", entries: [.init("weight", [outputs, inputs / groups, kernel])]
                                  + (bias ? [.init("bias", [outputs])] : []))
    }

    /// `nn.Conv2d(inputs, outputs, kernel)` with a square kernel: weight `[outputs, inputs, kernel, kernel]`.
    static func conv2d(in inputs: Int, out outputs: Int, kernel: Int, bias: Bool = true) -> Module {
        Module("Conv2d", entries: [.init("weight", [outputs, inputs, kernel, kernel])]
                                  + (bias ? [.init("bias", [outputs])] : []))
    }

    /// An `nn.Embedding` subclass (`BartScaledWordEmbedding`, `WhisperPositionalEmbedding`): same weight, its own class.
    static func embedding(_ className: String, _ count: Int, _ dimension: Int) -> Module {
        var module = Module.embedding(count, dimension)
        module.className = className
        return module
    }
}
