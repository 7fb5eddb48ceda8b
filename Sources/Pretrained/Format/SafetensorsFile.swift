/// An open safetensors file: its validated header and access to its tensors.
///
/// ```swift
/// let file = try SafetensorsFile(path: "model.safetensors")
/// for info in file.header.tensors { print(info.name, info.dtype, info.shape) }
/// let embedding = try file.tensor(named: "transformer.wte.weight")
/// ```
///
/// With the `.mmap` backend (default) tensors are zero-copy views of the mapping; with `.pread`
/// each tensor is read into owned memory.
public struct SafetensorsFile: Sendable {
    /// The path the file was opened from, used in errors.
    public let path: String
    /// The validated header.
    public let header: SafetensorsHeader
    /// The size of the file in bytes.
    public let fileSize: Int
    let source: Source

    enum Source: @unchecked Sendable {
        case mapped(MappedFile)
        case descriptor(FileDescriptor)
    }

    /// Opens and validates `path`.
    ///
    /// - Parameters:
    ///   - path: a `.safetensors` file.
    ///   - backend: `.mmap` (views) or `.pread` (owned copies).
    /// - Throws: `PretrainedError` for unreadable files and for every header rule broken.
    public init(path: String, backend: ReadBackend = .mmap) throws(PretrainedError) {
        self.path = path
        switch backend {
        case .mmap:
            let mapped = try MappedFile(path: path)
            // The header is read with pread, not through the mapping: a fault there would read
            // ahead around it (the device's read-ahead, often megabytes) on every shard, bytes a
            // tensor-parallel rank or a copy may never want.
            self.header = try SafetensorsFile.readHeader(from: mapped.descriptor, fileSize: mapped.bytes.count)
            self.fileSize = mapped.bytes.count
            self.source = .mapped(mapped)
        case .pread:
            let descriptor = try FileDescriptor(readingFrom: path)
            let size = try descriptor.size()
            self.header = try SafetensorsFile.readHeader(from: descriptor, fileSize: size)
            self.fileSize = size
            self.source = .descriptor(descriptor)
        }
    }

    /// Reads and validates only the header of `path` (8 + header-length bytes; no tensor data).
    public static func readHeader(path: String) throws(PretrainedError) -> SafetensorsHeader {
        let descriptor = try FileDescriptor(readingFrom: path)
        return try readHeader(from: descriptor, fileSize: try descriptor.size())
    }

    static func readHeader(from descriptor: FileDescriptor, fileSize: Int) throws(PretrainedError) -> SafetensorsHeader {
        var prefix: UInt64 = 0
        let length = try withBytes(of: &prefix) { (buffer) throws(PretrainedError) -> Int in
            if fileSize >= 8 { try descriptor.read(into: buffer, at: 0) }
            return try SafetensorsHeader.headerLength(
                prefix: UnsafeRawBufferPointer(buffer), fileSize: fileSize, file: descriptor.path)
        }
        let json = try OwnedBytes(count: length, file: descriptor.path, purpose: "the header")
        try descriptor.read(into: json.bytes, at: 8)
        return try SafetensorsHeader.parse(json: json.readOnly, fileSize: fileSize, file: descriptor.path)
    }

    /// The metadata of the header (`__metadata__`).
    public var metadata: [String: String] { header.metadata }

    /// The tensor named `name`: a view of the mapping, or an owned copy with `.pread`.
    ///
    /// - Throws: `PretrainedError.tensorNotFound`, an I/O error from `pread`, or `.allocationFailed`
    ///   when the memory of a `.pread` copy cannot be had.
    public func tensor(named name: String) throws(PretrainedError) -> Tensor {
        guard let info = header.tensor(named: name) else { throw .tensorNotFound(file: path, tensor: name) }
        return try tensor(info)
    }

    /// The tensor described by `info` (an entry of `header.tensors`).
    public func tensor(_ info: TensorInfo) throws(PretrainedError) -> Tensor {
        try Tensor(name: info.name, dtype: info.dtype, shape: info.shape, storage: storage(for: info))
    }

    /// Every tensor, in data order.
    public func tensors() throws(PretrainedError) -> [Tensor] {
        var result: [Tensor] = []
        result.reserveCapacity(header.tensors.count)
        for info in header.tensors { result.append(try tensor(info)) }
        return result
    }

    /// The storage for `info`: a view with `.mmap`, freshly read owned memory with `.pread`.
    func storage(for info: TensorInfo) throws(PretrainedError) -> TensorStorage {
        let range = fileRange(of: info)
        switch source {
        case .mapped(let mapped):
            return TensorStorage(viewing: mapped, range: range)
        case .descriptor(let descriptor):
            let storage = try TensorStorage.allocate(byteCount: range.count, zeroed: false, tensor: info.name)
            try descriptor.read(into: storage.bytes, at: range.lowerBound)
            return storage
        }
    }

    /// The byte range of `info`'s data within the file.
    public func fileRange(of info: TensorInfo) -> Range<Int> {
        (header.dataStart + info.dataOffsets.lowerBound)..<(header.dataStart + info.dataOffsets.upperBound)
    }

    /// The open file, for `pread` with either backend.
    var descriptor: FileDescriptor {
        switch source {
        case .mapped(let mapped): return mapped.descriptor
        case .descriptor(let descriptor): return descriptor
        }
    }

    /// The mapping behind this file, when opened with `.mmap`.
    package var mappedFile: MappedFile? {
        if case .mapped(let mapped) = source { return mapped }
        return nil
    }
}
