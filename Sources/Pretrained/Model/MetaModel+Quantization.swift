extension MetaModel {
    /// The slots with every quantized module's `weight` replaced by its stored parts (the packed
    /// weight and its companions, at their checkpoint names), as a quantizer replaces modules
    /// before loading; the layouts; and the companions' tied pairs.
    ///
    /// - Parameters:
    ///   - storedDType: a tensor's dtype in the checkpoint (companions are held as stored).
    static func quantize(_ slots: [TensorSlot], root: Module, scheme: QuantizationScheme,
                         tied: [TiedPair], file: String,
                         storedDType: (String) -> DType?) throws(PretrainedError)
        -> (slots: [TensorSlot], layouts: [QuantizedLayout]) {
        var modules: [String: String] = [:]
        func visit(_ module: Module, path: String) {
            modules[path] = module.className
            for child in module.children { visit(child.module, path: path.isEmpty ? child.name : path + "." + child.name) }
        }
        visit(root, path: "")
        var skipped: Set<String> = []
        if scheme.defaultSkips {
            // transformers' get_keys_to_not_convert: tied modules, the last parameter's, the output embedding.
            for pair in tied { skipped.formUnion([pair.target, pair.source].map { String($0.dropLast(".weight".count)) }) }
            if let last = slots.last(where: { $0.kind == .parameter }) {
                skipped.insert(String(last.name.split(separator: ".").dropLast().joined(separator: ".")))
            }
            skipped.insert("lm_head")
        }
        var result: [TensorSlot] = []
        var layouts: [QuantizedLayout] = []
        for slot in slots {
            let parameter = String(slot.name.split(separator: ".").last ?? "")
            let replaced = switch scheme.method {
            case "mxfp4": ["gate_up_proj", "down_proj"]
            case "fp8": ["weight", "gate_up_proj", "down_proj"]   // Linear weights and FP8Experts' projections
            default: ["weight"]
            }
            guard replaced.contains(parameter), slot.kind == .parameter, slot.dtype.isFloatingPoint else {
                result.append(slot)
                continue
            }
            let module = String(slot.name.dropLast(parameter.count + 1))
            guard let className = modules[module], !skipped.contains(where: { QuantizationScheme.matches(module, $0) }),
                  let format = scheme.format(module: module, className: className, weightShape: slot.shape) else {
                result.append(slot)
                continue
            }
            let layout = try QuantizedLayout(module: module, parameter: parameter, format: format, logicalShape: slot.shape,
                                             logicalDType: slot.dtype, storedDType: storedDType, file: file)
            layouts.append(layout)
            result += layout.parts.map { TensorSlot(name: $0.name, shape: $0.shape, dtype: $0.dtype, kind: .parameter) }
        }
        return (result, layouts)
    }

    /// Tied pairs extended to the companions of tied quantized weights (`lm_head.scales` shares
    /// `model.embed_tokens.scales` when the weights are tied).
    static func quantizedTies(_ tied: [TiedPair], layouts: [QuantizedLayout]) -> [TiedPair] {
        let byName = Dictionary(layouts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var result = tied
        for pair in tied {
            guard let target = byName[pair.target], let source = byName[pair.source] else { continue }
            for (t, s) in zip(target.parts.dropFirst(), source.parts.dropFirst()) { result.append(TiedPair(target: t.name, source: s.name)) }
        }
        return result
    }
}
