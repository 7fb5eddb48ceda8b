@testable import Pretrained

/// The layout rule of the reference safetensors crate (`validate` in `tensor.rs`), restated
/// independently to predict the exact error for a header whose entries are well typed.
///
/// Entries are sorted by `data_offsets`; each must start where the previous one ended, its
/// element and bit counts must not overflow, its bits must end on a byte, and its range must be
/// exactly its size; the last must end at the end of the data section.
enum ReferenceLayout {
    /// What opening a file with these entries (in document order) and this data section must do.
    static func expectation(_ entries: [SafetensorsSeed.Entry], dataLength: Int) -> Expectation {
        if let reversed = entries.first(where: { $0.begin > $0.end }) {
            return .error { .offsetsReversed(file: $0, tensor: reversed.name, begin: reversed.begin, end: reversed.end) }
        }
        let forward = firstError(sorted(entries, tiesReversed: false), dataLength: dataLength, file: "PATH")
        let backward = firstError(sorted(entries, tiesReversed: true), dataLength: dataLength, file: "PATH")
        switch (forward, backward) {
        case (nil, nil):
            return .accepted
        case let (a?, b?) where a == b:
            let entriesCopy = entries
            return .error { path in firstError(sorted(entriesCopy, tiesReversed: false), dataLength: dataLength, file: path) ?? a }
        case let (a?, b?) where a.caseName == b.caseName:
            return .errorCase(a.caseName, tensor: nil)
        default:
            return .rejected
        }
    }

    /// Sorted by `(begin, end)`; entries with equal ranges keep document order, or the reverse.
    static func sorted(_ entries: [SafetensorsSeed.Entry], tiesReversed: Bool) -> [SafetensorsSeed.Entry] {
        entries.enumerated().sorted { a, b in
            if (a.element.begin, a.element.end) != (b.element.begin, b.element.end) {
                return (a.element.begin, a.element.end) < (b.element.begin, b.element.end)
            }
            return tiesReversed ? a.offset > b.offset : a.offset < b.offset
        }.map(\.element)
    }

    static func firstError(_ sorted: [SafetensorsSeed.Entry], dataLength: Int, file: String) -> PretrainedError? {
        var position = 0
        for entry in sorted {
            if entry.begin > position {
                return .offsetsHole(file: file, tensor: entry.name, expected: position, found: entry.begin)
            }
            if entry.begin < position {
                return .offsetsOverlap(file: file, tensor: entry.name, expected: position, found: entry.begin)
            }
            position = entry.end
            if let error = sizeError(entry, file: file) { return error }
        }
        return position == dataLength ? nil : .dataSizeMismatch(file: file, expected: position, actual: dataLength)
    }

    /// The error for an entry whose range does not fit its dtype and shape, or `nil`.
    static func sizeError(_ entry: SafetensorsSeed.Entry, file: String) -> PretrainedError? {
        var elements = 1
        for dimension in entry.shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            if overflow { return .sizeOverflow(file: file, tensor: entry.name) }
            elements = product
        }
        let (bits, overflow) = elements.multipliedReportingOverflow(by: entry.dtype.bitSize)
        if overflow { return .sizeOverflow(file: file, tensor: entry.name) }
        if bits % 8 != 0 { return .partialByte(file: file, tensor: entry.name, bits: bits) }
        if entry.end - entry.begin != bits / 8 {
            return .byteCountMismatch(file: file, tensor: entry.name, expected: bits / 8, actual: entry.end - entry.begin)
        }
        return nil
    }
}

extension SafetensorsSeed.Entry {
    /// The entry as header JSON.
    var json: JSONValue {
        .object([("dtype", .string(dtype.rawValue)), ("shape", .array(shape.map { .int($0) })),
                 ("data_offsets", .array([.int(begin), .int(end)]))])
    }
}
