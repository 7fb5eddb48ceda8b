/// Weight formats other than safetensors that a user may point the loader at: recognised by file
/// name so the error says what the file is and what to do, instead of failing on its bytes.
enum ForeignFormat: CaseIterable {
    case pytorchPickle, gguf, tensorFlow, flax, onnx

    /// The format `fileName` announces, if it is one of these.
    init?(fileName: String) {
        let name = Path.lastComponent(of: fileName).lowercased()
        let found = ForeignFormat.allCases.first { format in format.suffixes.contains { name.hasSuffix($0) } }
        guard let found else { return nil }
        self = found
    }

    private var suffixes: [String] {
        switch self {
        case .pytorchPickle: return [".bin", ".pt", ".pth", ".ckpt", ".bin.index.json"]
        case .gguf: return [".gguf"]
        case .tensorFlow: return [".h5", ".h5.index.json"]
        case .flax: return [".msgpack", ".msgpack.index.json"]
        case .onnx: return [".onnx"]
        }
    }

    /// What the format is, why it is not read, and where to go instead.
    var explanation: String {
        switch self {
        case .pytorchPickle:
            return "PyTorch pickle weights, which are not read (unpickling can run code): convert them to safetensors, "
                + "for example with transformers' model.save_pretrained(folder) or the Hub's convert space"
        case .gguf:
            return "a GGUF file (llama.cpp's format), which is not read: use the model's original safetensors checkpoint"
        case .tensorFlow:
            return "TensorFlow/Keras weights, which are not read: save the model as safetensors with transformers"
        case .flax:
            return "Flax msgpack weights, which are not read: save the model as safetensors with transformers"
        case .onnx:
            return "an ONNX graph, which is not read: use the model's safetensors checkpoint"
        }
    }
}
