import Foundation
import Pretrained

/// Paths of the committed reference fixtures (see `Fixtures/README.md`).
enum Fixtures {
    static var root: String {
        Bundle.module.resourcePath! + "/Fixtures"
    }

    static func path(_ relative: String) -> String { root + "/" + relative }

    /// Parses a JSON fixture file.
    static func json(_ relative: String) throws -> JSONValue {
        try jsonFile(path(relative))
    }

    /// Parses the JSON file at an absolute `path`.
    static func jsonFile(_ path: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}

/// Raw safetensors files built byte by byte, for tests of the header rules.
enum RawSafetensors {
    /// A file of an 8-byte little-endian `length` (default: the header's size), the header
    /// bytes, then `data`.
    static func file(header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        file(headerBytes: Array(header.utf8), data: data, length: length)
    }

    static func file(headerBytes: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let n = length ?? UInt64(headerBytes.count)
        return withUnsafeBytes(of: n.littleEndian) { Array($0) } + headerBytes + data
    }
}

extension Tensor {
    /// A tensor of `dtype` and `shape` filled with bytes from a seeded generator.
    static func random(_ name: String, _ dtype: DType, _ shape: [Int], seed: inout UInt64) throws -> Tensor {
        let count = dtype.byteCount(elements: shape.reduce(1, *))!
        var bytes = [UInt8](repeating: 0, count: count)
        for i in bytes.indices {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(truncatingIfNeeded: seed >> 33)
        }
        return try Tensor(name: name, dtype: dtype, shape: shape, bytes: bytes)
    }
}
