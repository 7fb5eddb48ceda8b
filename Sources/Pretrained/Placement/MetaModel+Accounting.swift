/// Memory accounting over the skeleton: per-module parameter counts and bytes, and what tying saves.
///
/// ```swift
/// let gpt2 = try MetaModel(config: ModelConfig.read(path: "gpt2/config.json"))
/// gpt2.parameterCount                  // 124_439_808 (wte and lm_head share one storage)
/// gpt2.tyingSavings.parameters         // 38_597_376  (163_037_184 untied)
/// gpt2.modules.first?.name             // "transformer"
/// ```
extension MetaModel {
    /// Every module that owns parameters directly or through children, in `named_modules()`
    /// order, the root excluded, with its parameter count and bytes (see `ModuleSize` for how
    /// tied parameters count).
    ///
    /// - Complexity: O(m × d) for m modules of depth d; the tree is walked on each access.
    public var modules: [ModuleSize] {
        let tree = ModuleTree(self)
        var sizes: [ModuleSize] = []
        for n in tree.nodes.indices.dropFirst() {
            var seen = Set<Int>()
            var parameters = 0
            var bytes = 0
            for i in tree.subtreeTensors(n) where tree.tensors[i].isParameter {
                let tensor = tree.tensors[i]
                guard seen.insert(tensor.storage).inserted else { continue }
                parameters += tensor.elementCount
                bytes += tensor.dtype.byteCount(elements: tensor.elementCount) ?? 0
            }
            guard !seen.isEmpty else { continue }
            sizes.append(ModuleSize(name: tree.nodes[n].name, className: tree.nodes[n].className,
                                    parameters: parameters, bytes: bytes))
        }
        return sizes
    }

    /// The parameters and bytes that tied storage saves: every tied name after the first of its
    /// group would otherwise hold its own copy. Zero when nothing is tied.
    public var tyingSavings: TyingSavings {
        let tree = ModuleTree(self)
        var savings = TyingSavings(parameters: 0, bytes: 0)
        for (i, tensor) in tree.tensors.enumerated() where tree.isDuplicate(i) {
            savings.parameters += tensor.elementCount
            savings.bytes += tensor.dtype.byteCount(elements: tensor.elementCount) ?? 0
        }
        return savings
    }

    /// Non-persistent buffers (`rotary_emb.inv_freq`, BERT's `position_ids`): not slots, never
    /// loaded, but memory the model holds. Full names, shapes and dtypes, in model order.
    public var nonPersistentBuffers: [TensorSlot] {
        var buffers: [TensorSlot] = []
        Self.collectNonPersistent(root, prefix: "", modelDType: dtype, keepInFP32: keepInFP32Fragments, into: &buffers)
        return buffers
    }

    private static func collectNonPersistent(_ module: Module, prefix: String, modelDType: DType, keepInFP32: [String],
                                             into buffers: inout [TensorSlot]) {
        for entry in module.entries where !entry.persistent {
            let name = prefix + entry.name
            buffers.append(TensorSlot(name: name, shape: entry.shape,
                                      dtype: dtype(of: entry, named: name, modelDType: modelDType, keepInFP32: keepInFP32),
                                      kind: .buffer))
        }
        for child in module.children {
            collectNonPersistent(child.module, prefix: prefix + child.name + ".", modelDType: modelDType,
                                 keepInFP32: keepInFP32, into: &buffers)
        }
    }
}
