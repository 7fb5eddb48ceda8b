extension PretrainedModel {
    /// A typed view of every quantized parameter a packed load holds (empty for a plain or a
    /// dequantized model), in slot order: format, packed data, scales, biases, logical shape.
    ///
    /// ```swift
    /// let model = try load(pretrained: "mlx-community/...-4bit")
    /// for parameter in model.quantizedParameters { print(parameter.name, parameter.format, parameter.logicalShape) }
    /// ```
    public var quantizedParameters: [QuantizedParameter] {
        meta.quantizedLayouts.compactMap(quantizedParameter(_:))
    }

    /// The typed view of the quantized parameter `name` (`model.layers.0.mlp.up_proj.weight`).
    public func quantizedParameter(named name: String) -> QuantizedParameter? {
        meta.quantizedLayouts.first { $0.name == name }.flatMap(quantizedParameter(_:))
    }

    func quantizedParameter(_ layout: QuantizedLayout) -> QuantizedParameter? {
        let tensors = layout.parts.map { self[$0.name] }
        if case .gptq = layout.format {
            guard tensors.count == 4, let data = tensors[0], let scales = tensors[2] else { return nil }
            return QuantizedParameter(name: layout.name, format: layout.format, data: data, scales: scales, biases: nil,
                                      zeros: tensors[1], groupIndices: tensors[3],
                                      logicalShape: layout.logicalShape, logicalDType: layout.logicalDType)
        }
        if case .awq = layout.format {
            guard tensors.count == 3, let data = tensors[0], let scales = tensors[2] else { return nil }
            return QuantizedParameter(name: layout.name, format: layout.format, data: data, scales: scales, biases: nil,
                                      zeros: tensors[1], logicalShape: layout.logicalShape, logicalDType: layout.logicalDType)
        }
        guard let data = tensors[0], tensors.count >= 2, let scales = tensors[1] else { return nil }
        return QuantizedParameter(name: layout.name, format: layout.format, data: data, scales: scales,
                                  biases: tensors.count > 2 ? tensors[2] : nil,
                                  logicalShape: layout.logicalShape, logicalDType: layout.logicalDType)
    }
}
