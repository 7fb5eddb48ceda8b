/// The dequantized mode of a load (`LoadOptions.dequantize`): a packed model becomes the plain
/// model of its architecture, every quantized weight dequantized to its slot dtype (tied weights
/// dequantized once, still sharing one storage), every other tensor kept as loaded.
enum Dequantization {
    /// `packed` with its quantized parameters dequantized onto the slots of `plain`.
    ///
    /// - Throws: `PretrainedError.invalidQuantizedTensor` naming the checkpoint, the tensor and
    ///   the reason when a quantized weight lacks a companion or its parts do not fit the format.
    ///   `files` gives the shard each stored tensor is in (errors name it; `source` otherwise).
    static func apply(_ packed: PretrainedModel, plain: MetaModel, source: String,
                      files: [String: String] = [:]) throws(PretrainedError) -> PretrainedModel {
        let missing = Set(packed.report.missing)
        var dequantized: [String: Tensor] = [:]
        var byStorage: [ObjectIdentifier: TensorStorage] = [:]
        var stillMissing: [String] = []
        for layout in packed.meta.quantizedLayouts {
            let absent = layout.parts.filter { missing.contains($0.name) }
            if absent.count == layout.parts.count {
                stillMissing.append(layout.name)
                continue
            }
            let file = layout.parts.lazy.compactMap { files[$0.name] }.first ?? source
            if let first = absent.first {
                throw .invalidQuantizedTensor(file: file, tensor: first.name,
                                              reason: "is missing: '\(layout.name)' cannot be dequantized without it")
            }
            guard let parameter = packed.quantizedParameter(layout) else { continue }
            let key = ObjectIdentifier(parameter.data.storage)
            if let shared = byStorage[key] {
                dequantized[layout.name] = try Tensor(name: layout.name, dtype: layout.logicalDType,
                                                      shape: layout.logicalShape, storage: shared)
                continue
            }
            let tensor = try Dequantize.dequantize(parameter, file: file)
            byStorage[key] = tensor.storage
            dequantized[layout.name] = tensor
            dropPages(of: layout.parts.compactMap { packed[$0.name] })
        }
        var parameters: [Tensor] = []
        parameters.reserveCapacity(plain.slots.count)
        for slot in plain.slots {
            if let tensor = dequantized[slot.name] {
                parameters.append(tensor)
            } else if let tensor = packed[slot.name], tensor.dtype == slot.dtype, tensor.shape == slot.shape {
                parameters.append(tensor)
            } else {
                let storage = try TensorStorage.allocate(byteCount: slot.byteCount, zeroed: true, tensor: slot.name)
                parameters.append(try Tensor(name: slot.name, dtype: slot.dtype, shape: slot.shape, storage: storage))
            }
        }
        let names = Set(plain.slots.map(\.name))
        let parts = Set(packed.meta.quantizedLayouts.flatMap { $0.parts.dropFirst().map(\.name) })
        var report = packed.report
        report.missing = (report.missing.filter { names.contains($0) && !parts.contains($0) } + stillMissing)
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
        report.tiedFromCheckpoint = report.tiedFromCheckpoint.filter { !parts.contains($0.filled) }
        report.tiedBothMissing = report.tiedBothMissing.filter { !parts.contains($0.target) }
        report.initialized = report.initialized.filter { names.contains($0) && !parts.contains($0) }
        let tied = packed.tiedWeights.filter { names.contains($0.target) && names.contains($0.source) }
        return PretrainedModel(meta: plain, parameters: parameters, tiedWeights: tied, report: report, seconds: packed.seconds)
    }

    /// Drops the pages of `tensors` (mapped views of a private mapping, never written) from this
    /// process once they are dequantized (`MADV_DONTNEED`: touched again, they are read back from
    /// the file), so a load's peak is the result, not the result plus the packed checkpoint.
    static func dropPages(of tensors: [Tensor]) {
        for tensor in tensors {
            guard case .mapped(let file) = tensor.storage.backing, let base = file.bytes.baseAddress else { continue }
            tensor.withUnsafeBytes { bytes in
                guard let start = bytes.baseAddress else { return }
                let offset = start - UnsafeRawPointer(base)
                file.advise(.dontNeed, range: offset..<(offset + bytes.count))
            }
        }
    }
}
