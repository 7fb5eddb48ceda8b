import Pretrained

/// Checks a safetensors file on disk through every reader: `SafetensorsFile` with `.mmap` and
/// `.pread`, and the header-only `SafetensorsFile.readHeader`.
///
/// They must agree: all reject with the same `PretrainedError`, or all accept the same header.
/// An accepted file must satisfy `HeaderOracle.checkInvariants`, and every tensor must read back
/// the same bytes through both backends, equal to the file's own bytes at its range.
public enum SafetensorsOracle {
    /// Writes `fileBytes` to a file in `workspace` and checks it.
    public static func check(fileBytes: UnsafeRawBufferPointer, in workspace: FuzzWorkspace)
        throws(InvariantViolation) -> FuzzOutcome
    {
        let path: String
        do {
            path = try workspace.write("input.safetensors", bytes: fileBytes)
        } catch {
            throw InvariantViolation("could not write the input: \(error)")
        }
        return try check(path: path, expecting: fileBytes)
    }

    /// Checks the file at `path`, whose contents are `fileBytes` when given.
    public static func check(path: String, expecting fileBytes: UnsafeRawBufferPointer? = nil)
        throws(InvariantViolation) -> FuzzOutcome
    {
        let mapped = Result { () throws(PretrainedError) in try SafetensorsFile(path: path, backend: .mmap) }
        let copied = Result { () throws(PretrainedError) in try SafetensorsFile(path: path, backend: .pread) }
        let headerOnly = Result { () throws(PretrainedError) in try SafetensorsFile.readHeader(path: path) }
        switch (mapped, copied, headerOnly) {
        case let (.failure(a), .failure(b), .failure(c)):
            try require(a == b && b == c, "readers disagree: mmap '\(a)', pread '\(b)', header '\(c)'")
            return .rejected(a.description)
        case let (.success(mappedFile), .success(copiedFile), .success(header)):
            try HeaderOracle.checkInvariants(mappedFile.header, fileSize: mappedFile.fileSize)
            try require(same(mappedFile.header, copiedFile.header) && same(mappedFile.header, header),
                        "readers accept different headers")
            try require(mappedFile.fileSize == copiedFile.fileSize, "readers see different file sizes")
            if let fileBytes {
                try require(fileBytes.count == mappedFile.fileSize, "file size \(mappedFile.fileSize) is not \(fileBytes.count)")
            }
            try checkTensors(mappedFile, copiedFile, fileBytes: fileBytes)
            return .accepted
        default:
            throw InvariantViolation(
                "readers disagree on acceptance: mmap \(outcome(mapped)), pread \(outcome(copied)), header \(outcome(headerOnly))")
        }
    }

    static func outcome<T>(_ result: Result<T, PretrainedError>) -> String {
        switch result {
        case .success: return "accepted"
        case .failure(let error): return "'\(error)'"
        }
    }

    static func same(_ a: SafetensorsHeader, _ b: SafetensorsHeader) -> Bool {
        a.tensors == b.tensors && a.metadata == b.metadata && a.headerLength == b.headerLength
    }

    /// Reads every tensor through both backends and by name, and compares the bytes.
    static func checkTensors(_ mapped: SafetensorsFile, _ copied: SafetensorsFile, fileBytes: UnsafeRawBufferPointer?)
        throws(InvariantViolation)
    {
        for info in mapped.header.tensors {
            let view: Tensor
            let copy: Tensor
            let byName: Tensor
            do {
                view = try mapped.tensor(info)
                copy = try copied.tensor(info)
                byName = try copied.tensor(named: info.name)
            } catch {
                throw InvariantViolation("reading accepted tensor '\(info.name)' failed: \(error)")
            }
            try require(view.storage.isMapped && !copy.storage.isMapped, "'\(info.name)' has the wrong storage kind")
            try require(view.shape == info.shape && view.dtype == info.dtype && copy.shape == info.shape,
                        "'\(info.name)' has the wrong dtype or shape")
            let range = mapped.fileRange(of: info)
            let same = view.withUnsafeBytes { a in
                copy.withUnsafeBytes { b in
                    byName.withUnsafeBytes { c in
                        a.elementsEqual(b) && b.elementsEqual(c)
                            && (fileBytes.map { a.elementsEqual($0[range]) } ?? true)
                    }
                }
            }
            try require(same, "tensor '\(info.name)' reads different bytes through mmap, pread or the file")
            try checkElements(view)
        }
        let all: [Tensor]
        do {
            all = try mapped.tensors()
        } catch {
            throw InvariantViolation("tensors() failed: \(error)")
        }
        try require(all.map(\.name) == mapped.header.tensors.map(\.name), "tensors() lost or reordered tensors")
    }

    /// Reads the elements the way a caller would, for the dtypes that have typed access.
    static func checkElements(_ tensor: Tensor) throws(InvariantViolation) {
        let count: Int
        do {
            switch tensor.dtype {
            case .f32, .f16, .bf16: count = try tensor.floats().count
            case .bool: count = try tensor.bools().count
            case .f64: count = try tensor.scalars(as: Double.self).count
            case .i64: count = try tensor.scalars(as: Int64.self).count
            case .u8: count = try tensor.scalars(as: UInt8.self).count
            default: return
            }
        } catch {
            throw InvariantViolation("typed access to '\(tensor.name)' failed: \(error)")
        }
        try require(count == tensor.elementCount, "'\(tensor.name)' yields \(count) elements, not \(tensor.elementCount)")
    }
}
