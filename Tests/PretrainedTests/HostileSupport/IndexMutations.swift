import Foundation
@testable import Pretrained

/// A sharded checkpoint written by `ShardedCheckpointWriter`, with the traps an index could
/// point at: a sub-folder, a link that stays inside and a link that escapes.
///
/// ```
/// model-0000K-of-00004.safetensors, model.safetensors.index.json
/// sub/                      a folder
/// inner-link.safetensors -> model-00001-of-00004.safetensors
/// escape.safetensors     -> <another temporary folder>/secret.safetensors
/// loop.safetensors       -> loop.safetensors (a link to itself)
/// dangling.safetensors   -> absent.safetensors
/// ```
struct IndexSeed {
    let directory: TemporaryDirectory
    let outside: TemporaryDirectory
    /// The index as written.
    let text: String
    /// Tensor name -> shard, as the index maps them.
    let weightMap: [(tensor: String, shard: String)]
    var indexPath: String { directory.file(Checkpoint.indexFileName) }

    init() throws {
        directory = try TemporaryDirectory()
        outside = try TemporaryDirectory()
        var seed: UInt64 = 99
        let tensors = try (0..<8).map { i in
            try Tensor.random("layers.\(i).weight", [DType.f32, .bf16, .i8, .bool][i % 4], [3, i + 1], seed: &seed)
        }
        try ShardedCheckpointWriter.write(tensors, maxShardBytes: 40, to: directory.path)
        text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.file(Checkpoint.indexFileName))), as: UTF8.self)
        weightMap = try CheckpointIndex.read(path: directory.file(Checkpoint.indexFileName)).weightMap
        try FileManager.default.createDirectory(atPath: directory.file("sub"), withIntermediateDirectories: false)
        let secret = outside.file("secret.safetensors")
        try SafetensorsWriter.write([tensors[0]], to: secret)
        try FileManager.default.createSymbolicLink(atPath: directory.file("escape.safetensors"), withDestinationPath: secret)
        try FileManager.default.createSymbolicLink(atPath: directory.file("inner-link.safetensors"),
                                                   withDestinationPath: weightMap[0].shard)
        try FileManager.default.createSymbolicLink(atPath: directory.file("loop.safetensors"), withDestinationPath: "loop.safetensors")
        try FileManager.default.createSymbolicLink(atPath: directory.file("dangling.safetensors"), withDestinationPath: "absent.safetensors")
    }

    /// The index document's members.
    var members: [(key: String, value: JSONValue)] { (try? JSONParser.parse(Array(text.utf8)).objectValue) ?? [] }

    /// An index with `weightMap` as its weight map (and the original metadata).
    func index(_ weightMap: [(key: String, value: JSONValue)], raw: [String: String] = [:]) -> [UInt8] {
        document(members.map { $0.key == "weight_map" ? ($0.key, .object(weightMap)) : $0 }, raw: raw)
    }

    /// `members` serialized, with placeholder strings replaced by raw JSON tokens.
    func document(_ members: [(key: String, value: JSONValue)], raw: [String: String] = [:]) -> [UInt8] {
        var text = JSONValue.object(members).serialized(pretty: true)
        for (placeholder, token) in raw { text = text.replacingOccurrences(of: "\"\(placeholder)\"", with: token) }
        return Array(text.utf8)
    }

    var originalMap: [(key: String, value: JSONValue)] { weightMap.map { ($0.tensor, .string($0.shard)) } }

    /// The original map with tensor `tensor`'s shard set to `value`.
    func map(setting tensor: String, to value: JSONValue) -> [(key: String, value: JSONValue)] {
        originalMap.map { $0.key == tensor ? ($0.key, value) : $0 }
    }
}

extension IndexSeed {
    /// The index cut at every byte: only the whole document (trailing whitespace aside) is valid.
    func truncations() -> [Mutant] {
        let bytes = Array(text.utf8)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).utf8.count
        return (0..<bytes.count).map { length in
            Mutant(family: "index-truncate", detail: "to \(length) of \(bytes.count) bytes", bytes: Array(bytes[..<length]),
                   expectation: length >= trimmed ? .accepted : .errorCase("invalidIndex", tensor: nil))
        }
    }

    /// Random bit flips and byte substitutions anywhere in the index.
    func noise(_ count: Int, using random: inout SplitMix64) -> [Mutant] {
        let bytes = Array(text.utf8)
        let interesting: [UInt8] = Array("{}[]\":,./\\0 ".utf8) + [0x00, 0x80, 0xFF]
        return (0..<count).map { _ in
            var mutated = bytes
            let offset = Int.random(in: 0..<bytes.count, using: &random)
            let detail: String
            if random.chance(0.5) {
                let bit = Int.random(in: 0..<8, using: &random)
                mutated[offset] ^= 1 << bit
                detail = "byte \(offset) bit \(bit)"
            } else {
                mutated[offset] = random.pick(interesting)
                detail = "byte \(offset) = 0x\(String(mutated[offset], radix: 16))"
            }
            return Mutant(family: "index-noise", detail: detail, bytes: mutated, expectation: .anyOutcome)
        }
    }

    /// Shard names that are missing, escape the folder, name folders, links or other shards.
    func shardNames() -> [Mutant] {
        var mutants: [Mutant] = []
        let shardSizes = Dictionary(grouping: weightMap, by: \.shard).mapValues(\.count)
        for (tensor, shard) in weightMap {
            func mutant(_ name: String, _ expectation: Expectation) {
                mutants.append(Mutant(family: "index-shard", detail: "'\(tensor)' -> \(name.debugDescription)",
                                      bytes: index(map(setting: tensor, to: .string(name))), expectation: expectation))
            }
            mutant("missing.safetensors", .error { .missingShard(file: $0, shard: "missing.safetensors") })
            mutant("sub", .error { .shardNotAFile(file: $0, shard: "sub", kind: "a folder") })
            mutant("sub/", .error { .shardNotAFile(file: $0, shard: "sub/", kind: "a folder") })
            mutant("loop.safetensors", .error { .shardNotAFile(file: $0, shard: "loop.safetensors", kind: "a symbolic link loop") })
            mutant("dangling.safetensors", .error { .missingShard(file: $0, shard: "dangling.safetensors") })
            for outside in ["../x.safetensors", "/etc/passwd", "/dev/zero", "sub/../../x", "a\\b", "..", "x/..", "./../\(shard)",
                            "a\u{0}b", "escape.safetensors", "/" + indexPath] {
                mutant(outside, .error { .shardOutsideCheckpoint(file: $0, shard: outside) })
            }
            mutant("", .error { .invalidIndex(file: $0, reason: "a shard name is empty") })
            mutant(".", .rejected)
            mutant(Checkpoint.indexFileName, .rejected)
            let alias = shardSizes[shard, default: 0] > 1 ? Expectation.errorCase("tensorInTwoShards", tensor: nil) : .accepted
            mutant("./" + shard, alias)
            mutant("sub/../" + shard, .error { .shardOutsideCheckpoint(file: $0, shard: "sub/../" + shard) })
            if shard == weightMap[0].shard { mutant("inner-link.safetensors", alias) }
            for other in Set(weightMap.map(\.shard)) where other != shard {
                mutant(other, .error { .tensorNotInShard(file: $0, tensor: tensor, shard: other) })
            }
        }
        return mutants
    }

    /// Entries added, removed, repeated and mistyped; documents of the wrong shape.
    func structure() -> [Mutant] {
        var mutants: [Mutant] = []
        let first = weightMap[0]
        mutants.append(Mutant(family: "index-structure", detail: "ghost tensor",
                              bytes: index(originalMap + [("ghost", .string(first.shard))]),
                              expectation: .error { .tensorNotInShard(file: $0, tensor: "ghost", shard: first.shard) }))
        for (tensor, _) in weightMap {
            mutants.append(Mutant(family: "index-structure", detail: "'\(tensor)' removed",
                                  bytes: index(originalMap.filter { $0.key != tensor }), expectation: .accepted))
            mutants.append(Mutant(family: "index-structure", detail: "'\(tensor)' twice",
                                  bytes: index(originalMap + originalMap.filter { $0.key == tensor }),
                                  expectation: .error { .invalidIndex(file: $0, reason: "tensor '\(tensor)' appears more than once in 'weight_map'") }))
            for value in [JSONValue.int(1), .null, .array([]), .object([]), .bool(true)] {
                mutants.append(Mutant(family: "index-structure", detail: "'\(tensor)' -> \(value.serialized())",
                                      bytes: index(map(setting: tensor, to: value)),
                                      expectation: .error { .invalidIndex(file: $0, reason: "the shard of tensor '\(tensor)' is not a string") }))
            }
        }
        mutants.append(Mutant(family: "index-structure", detail: "empty weight_map", bytes: index([]), expectation: .accepted))
        let metadata = members.filter { $0.key != "weight_map" }
        for value in [JSONValue.array([]), .string("x"), .int(1), .null] {
            mutants.append(Mutant(family: "index-structure", detail: "weight_map = \(value.serialized())",
                                  bytes: document(metadata + [("weight_map", value)]),
                                  expectation: .error { .invalidIndex(file: $0, reason: "no 'weight_map' object") }))
        }
        mutants.append(Mutant(family: "index-structure", detail: "no weight_map", bytes: document(metadata),
                              expectation: .error { .invalidIndex(file: $0, reason: "no 'weight_map' object") }))
        for text in ["[]", "\"x\"", "1", "null"] {
            mutants.append(Mutant(family: "index-structure", detail: "document = \(text)", bytes: Array(text.utf8),
                                  expectation: .error { .invalidIndex(file: $0, reason: "not a JSON object") }))
        }
        for value in [JSONValue.int(1), .array([]), .null, .object([("total_size", -5)]), .object([("total_size", "big")])] {
            mutants.append(Mutant(family: "index-structure", detail: "metadata = \(value.serialized())",
                                  bytes: document([("metadata", value), ("weight_map", .object(originalMap))]), expectation: .accepted))
        }
        for (k, accepted) in [(127, true), (128, false), (100_000, false)] {  // the document is depth 1
            mutants.append(Mutant(family: "index-structure", detail: "\(k) arrays in metadata",
                                  bytes: document([("metadata", "@@DEEP@@"), ("weight_map", .object(originalMap))],
                                                  raw: ["@@DEEP@@": String(repeating: "[", count: k) + String(repeating: "]", count: k)]),
                                  expectation: accepted ? .accepted : .errorCase("invalidIndex", tensor: nil)))
        }
        for bytes in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80]] as [[UInt8]] {
            var text = index(map(setting: first.tensor, to: "@@NAME@@"))
            let placeholder = Array("@@NAME@@".utf8)
            if let at = (0...(text.count - placeholder.count)).first(where: { Array(text[$0..<($0 + placeholder.count)]) == placeholder }) {
                text.replaceSubrange(at..<(at + placeholder.count), with: bytes)
            }
            mutants.append(Mutant(family: "index-structure", detail: "shard name bytes \(bytes)", bytes: text,
                                  expectation: .errorCase("invalidIndex", tensor: nil)))
        }
        return mutants
    }
}
