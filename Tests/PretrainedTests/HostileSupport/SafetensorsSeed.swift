import Foundation
@testable import Pretrained

/// A valid safetensors file taken apart for mutation: its header as JSON, its data section, and
/// the tensor entries in data order.
struct SafetensorsSeed {
    /// A tensor entry as the header states it.
    struct Entry {
        var name: String
        var dtype: DType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    var name: String
    var bytes: [UInt8]
    var headerLength: Int
    var members: [(key: String, value: JSONValue)]
    var data: [UInt8]
    var entries: [Entry]

    /// Takes apart the valid file `bytes`.
    init(name: String, bytes: [UInt8]) throws {
        self.name = name
        self.bytes = bytes
        let header = try bytes.withUnsafeBytes { raw in
            try SafetensorsHeader.parse(json: UnsafeRawBufferPointer(rebasing: raw[8..<(8 + Int(raw.loadUnaligned(as: UInt64.self)))]),
                                        fileSize: raw.count, file: name)
        }
        headerLength = header.headerLength
        guard case .object(let members) = try JSONParser.parse(bytes[8..<(8 + headerLength)]) else {
            throw PretrainedError.headerInvalidStart(file: name)
        }
        self.members = members
        data = Array(bytes[(8 + headerLength)...])
        entries = header.tensors.map { Entry(name: $0.name, dtype: $0.dtype, shape: $0.shape,
                                              begin: $0.dataOffsets.lowerBound, end: $0.dataOffsets.upperBound) }
    }

    /// The seeds every mutation suite starts from: files Python's `safetensors` wrote (the
    /// committed fixtures, every dtype among them) and files our writer wrote.
    static func all() throws -> [SafetensorsSeed] {
        var seeds: [SafetensorsSeed] = []
        for name in ["all_dtypes", "core_dtypes", "with_metadata", "no_metadata"] {
            let path = Fixtures.path("python-safetensors/\(name).safetensors")
            seeds.append(try SafetensorsSeed(name: "python/\(name)", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        }
        let directory = try TemporaryDirectory()
        var random: UInt64 = 7
        let tensors = [
            try Tensor.random("embed.weight", .bf16, [3, 4], seed: &random),
            try Tensor.random("scalar", .f64, [], seed: &random),
            try Tensor.random("empty", .f32, [0, 3], seed: &random),
            try Tensor.random("mask", .bool, [5], seed: &random),
            try Tensor.random("packed", .f4, [6], seed: &random),
            try Tensor.random("six", .f6e2m3, [4], seed: &random),
        ]
        let path = directory.file("ours.safetensors")
        try SafetensorsWriter.write(tensors, metadata: ["format": "pt"], to: path)
        seeds.append(try SafetensorsSeed(name: "writer/mixed", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        return seeds
    }

    /// A file with `members` as its header (serialized compactly, `padding` spaces appended) and
    /// `data`; `raw` replaces placeholder strings in the JSON text with raw JSON tokens.
    static func file(members: [(key: String, value: JSONValue)], data: [UInt8], padding: Int = 0,
                     raw: [String: String] = [:]) -> [UInt8] {
        var text = JSONValue.object(members).serialized()
        for (placeholder, token) in raw {
            text = text.replacingOccurrences(of: "\"\(placeholder)\"", with: token)
        }
        return RawSafetensors.file(header: text + String(repeating: " ", count: padding), data: data)
    }

    /// This seed with its header replaced by `members`.
    func with(members: [(key: String, value: JSONValue)], raw: [String: String] = [:]) -> [UInt8] {
        SafetensorsSeed.file(members: members, data: data, padding: 0, raw: raw)
    }

    /// The index of the header member named `name`.
    func memberIndex(_ name: String) -> Int? { members.firstIndex { $0.key == name } }

    /// A copy of the members with tensor `name`'s field `field` set to `value`.
    func setting(_ field: String, of name: String, to value: JSONValue) -> [(key: String, value: JSONValue)] {
        var members = self.members
        guard let i = memberIndex(name), case .object(var fields) = members[i].value else { return members }
        if let j = fields.firstIndex(where: { $0.key == field }) {
            fields[j].value = value
        } else {
            fields.append((field, value))
        }
        members[i].value = .object(fields)
        return members
    }
}
