/// The validated header of a safetensors file.
///
/// A file is an unsigned 64-bit little-endian header length `n`, `n` bytes of UTF-8 JSON, then
/// the data section. Parsing applies every check of the reference Rust crate, so a header that
/// parses here describes tensors that lie entirely inside the file, cover its data section
/// exactly, and never overlap.
public struct SafetensorsHeader: Sendable {
    /// The largest header length accepted, as in the reference implementation.
    public static let maximumLength: UInt64 = 100_000_000

    /// `__metadata__`, a string-to-string map (empty when absent).
    public var metadata: [String: String]
    /// The tensors in data order (ascending offsets).
    public var tensors: [TensorInfo]
    /// The length of the JSON header in bytes (without the 8-byte prefix).
    public var headerLength: Int
    /// The byte offset in the file where the data section starts: `8 + headerLength`.
    public var dataStart: Int { 8 + headerLength }
    /// The size of the data section in bytes.
    public var dataLength: Int { tensors.last?.dataOffsets.upperBound ?? 0 }

    /// The entry of the tensor named `name`, if any.
    public func tensor(named name: String) -> TensorInfo? {
        tensors.first { $0.name == name }
    }
}

extension SafetensorsHeader {
    /// Reads the header length prefix and checks it against the file size.
    ///
    /// - Parameters:
    ///   - prefix: at least the file's first 8 bytes (fewer means the file is too small).
    ///   - fileSize: the size of the whole file.
    ///   - file: the name used in errors.
    /// - Returns: the header length, guaranteed to lie within the file and within the limit.
    public static func headerLength(prefix: UnsafeRawBufferPointer, fileSize: Int, file: String) throws(PretrainedError) -> Int {
        guard prefix.count >= 8, fileSize >= 8 else {
            throw .fileTooSmall(file: file, size: fileSize)
        }
        let length = UInt64(littleEndian: prefix.loadUnaligned(as: UInt64.self))
        guard length <= maximumLength else { throw .headerTooLarge(file: file, length: length) }
        guard length <= UInt64(fileSize - 8) else {
            throw .headerBeyondFile(file: file, length: length, fileSize: fileSize)
        }
        guard length >= 2 else { throw .headerTooSmall(file: file, length: length) }
        return Int(length)
    }

    /// Parses and validates a header.
    ///
    /// The JSON is read in one pass that builds the entries as it goes (`HeaderReader`): a
    /// value of the wrong type is refused where it starts and unknown fields are skipped
    /// without being kept, so a hostile header costs memory in proportion to what it
    /// declares (tensors, shape dimensions, metadata), not to its length. When a header breaks
    /// several rules, the error names the first fault in document order (as serde's
    /// deserializer in the reference crate does); the layout (sorting, holes, overlaps, sizes)
    /// is checked once every entry has been read.
    ///
    /// ```swift
    /// let length = try SafetensorsHeader.headerLength(prefix: prefix, fileSize: size, file: name)
    /// let header = try SafetensorsHeader.parse(json: json, fileSize: size, file: name)
    /// ```
    ///
    /// - Parameters:
    ///   - json: the `headerLength` bytes of JSON that follow the length prefix.
    ///   - fileSize: the size of the whole file, to check that the tensors cover the data section.
    ///   - file: the name used in errors.
    /// - Throws: a `PretrainedError` naming the rule the header breaks; `headerNotUTF8` for any
    ///   fault of a header that is not UTF-8, as the reference checks that first.
    /// - Complexity: O(*n* + *t* log *t*) for *n* bytes of JSON and *t* tensors.
    public static func parse(json: UnsafeRawBufferPointer, fileSize: Int, file: String) throws(PretrainedError) -> SafetensorsHeader {
        FileAccessTrace.record(.parsedHeader(file))
        let entries: HeaderReader.Entries
        do {
            entries = try HeaderReader.read(json, file: file)
        } catch {
            // A header that reads is UTF-8 (the reader validates every string and accepts only
            // ASCII outside them), so the whole-header check the reference runs first is
            // needed only to classify a failure.
            throw JSONScanner.isUTF8(json) ? error : .headerNotUTF8(file: file)
        }
        return try SafetensorsHeader(validating: entries, headerLength: json.count, fileSize: fileSize, file: file)
    }

    /// The header of `entries` once their layout is checked: sorted by offsets, back to back
    /// from 0, each range exactly its dtype and shape's size, covering the data section.
    ///
    /// - Parameters:
    ///   - entries: the tensors (in document order) and metadata the JSON states.
    ///   - headerLength: the length of the JSON in bytes.
    ///   - fileSize: the size of the whole file.
    ///   - file: the name used in errors.
    init(validating entries: consuming HeaderReader.Entries, headerLength: Int, fileSize: Int, file: String) throws(PretrainedError) {
        entries.tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        let dataLength = try Self.validateLayout(entries.tensors, file: file)
        let actual = fileSize - 8 - headerLength
        guard dataLength == actual else { throw .dataSizeMismatch(file: file, expected: dataLength, actual: actual) }
        self.init(metadata: entries.metadata, tensors: entries.tensors, headerLength: headerLength)
    }

    /// Checks that sorted tensors cover `0..<end` contiguously and that each range matches its
    /// dtype and shape; returns `end`.
    private static func validateLayout(_ tensors: [TensorInfo], file: String) throws(PretrainedError) -> Int {
        var position = 0
        for info in tensors {
            let range = info.dataOffsets
            if range.lowerBound > position {
                throw .offsetsHole(file: file, tensor: info.name, expected: position, found: range.lowerBound)
            }
            if range.lowerBound < position {
                throw .offsetsOverlap(file: file, tensor: info.name, expected: position, found: range.lowerBound)
            }
            position = range.upperBound
            var elements = 1
            for dimension in info.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw .sizeOverflow(file: file, tensor: info.name) }
                elements = product
            }
            let (bits, overflow) = elements.multipliedReportingOverflow(by: info.dtype.bitSize)
            guard !overflow else { throw .sizeOverflow(file: file, tensor: info.name) }
            guard bits % 8 == 0 else { throw .partialByte(file: file, tensor: info.name, bits: bits) }
            guard range.count == bits / 8 else {
                throw .byteCountMismatch(file: file, tensor: info.name, expected: bits / 8, actual: range.count)
            }
        }
        return position
    }
}
