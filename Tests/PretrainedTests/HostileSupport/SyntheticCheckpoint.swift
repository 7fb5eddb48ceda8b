@testable import Pretrained

/// A random checkpoint for property tests: tensors of every dtype and awkward shapes, random
/// names and metadata, written as one file or split into shards with an index.
///
/// The spec is small and printable (tensor data is derived from a per-tensor seed), so a failing
/// case reads well in the property checker's report.
///
/// Extension points for later stages:
/// - `ShardEncoding`: the checkpoint is also compressed (zstd or lz4, a random frame size) and the
///   compressed shards must decode to the same tensors; add codecs here as they land.
/// - `tiedPairs`: once `load(pretrained:)` lands, generate architectures' tied pairs with random
///   presence of each side and check the tying outcome in `PropertyCheckpointTests`.
struct SyntheticCheckpoint: Sendable, CustomStringConvertible {
    struct TensorSpec: Sendable, CustomStringConvertible {
        var name: String
        var dtype: DType
        var shape: [Int]
        /// Seeds the tensor's bytes.
        var dataSeed: UInt64

        var byteCount: Int { dtype.byteCount(elements: shape.reduce(1, *)) ?? 0 }

        func makeTensor() throws(PretrainedError) -> Tensor {
            try Tensor(name: name, dtype: dtype, shape: shape, bytes: SplitMix64.bytes(byteCount, seed: dataSeed))
        }

        var description: String { "\(name.debugDescription) \(dtype.rawValue)\(shape)" }
    }

    /// How the tensors are split into files.
    enum Layout: Sendable, Equatable {
        /// `SafetensorsWriter` writes one `model.safetensors`.
        case singleFile
        /// `ShardedCheckpointWriter` splits at this many bytes (one file when everything fits).
        case sharded(maxShardBytes: Int)
    }

    /// How the shards are also stored: plain only, or compressed as well with this codec and
    /// frame size (by `CheckpointCompressor`, into a sibling folder).
    enum ShardEncoding: Sendable, Equatable {
        case plain
        case compressed(ShardCompression, frameSize: Int)
    }

    /// A tied pair (target, source) and which sides the checkpoint holds: filled in when the
    /// loader lands.
    struct TiedPair: Sendable {
        var target: String
        var source: String
        var targetPresent: Bool
        var sourcePresent: Bool
    }

    var tensors: [TensorSpec]
    var metadata: [String: String]?
    var layout: Layout
    var encoding: ShardEncoding = .plain
    var tiedPairs: [TiedPair] = []

    var totalBytes: Int { tensors.reduce(0) { $0 + $1.byteCount } }

    var description: String {
        "SyntheticCheckpoint(\(layout), \(encoding), metadata: \(metadata.map { "\($0)" } ?? "nil"), tensors: \(tensors))"
    }

    /// The shard file names the writers produce and, for each, the tensor names it holds, in order.
    /// This restates `ShardedCheckpointWriter`'s documented rule: a new shard starts when the next
    /// tensor would push the current one past the limit.
    var expectedShards: [(name: String, tensors: [String])] {
        guard case .sharded(let limit) = layout else { return [("model.safetensors", tensors.map(\.name))] }
        var groups: [[TensorSpec]] = [[]]
        var bytes = 0
        for tensor in tensors {
            if !groups[groups.count - 1].isEmpty && bytes + tensor.byteCount > limit {
                groups.append([])
                bytes = 0
            }
            groups[groups.count - 1].append(tensor)
            bytes += tensor.byteCount
        }
        if groups.count == 1 { return [("model.safetensors", groups[0].map(\.name))] }
        func padded(_ n: Int) -> String { String(repeating: "0", count: max(0, 5 - String(n).count)) + String(n) }
        return groups.enumerated().map { i, group in
            ("model-\(padded(i + 1))-of-\(padded(groups.count)).safetensors", group.map(\.name))
        }
    }

    /// Writes the checkpoint into the existing folder `directory`.
    func write(to directory: String) throws {
        let made = try tensors.map { try $0.makeTensor() }
        switch layout {
        case .singleFile:
            try SafetensorsWriter.write(made, metadata: metadata, to: directory + "/model.safetensors")
        case .sharded(let limit):
            try ShardedCheckpointWriter.write(made, maxShardBytes: limit, metadata: metadata ?? [:], to: directory)
        }
    }

    /// The metadata each shard's header carries after `write(to:)` (absent reads as empty).
    var expectedMetadata: [String: String] { metadata ?? [:] }

    /// Smaller checkpoints that may still fail, for the property checker's shrinking.
    var shrunk: [SyntheticCheckpoint] {
        var candidates: [SyntheticCheckpoint] = []
        for i in tensors.indices {
            var smaller = self
            smaller.tensors.remove(at: i)
            candidates.append(smaller)
        }
        if metadata != nil, tensors.isEmpty {
            var smaller = self
            smaller.metadata = nil
            candidates.append(smaller)
        }
        return candidates
    }
}

extension SyntheticCheckpoint {
    /// A random checkpoint: 0 to 12 tensors of random dtypes, shapes of rank 0 to 4 with zero
    /// dimensions now and then, names from a hostile alphabet, random metadata and split.
    static func random(using random: inout some RandomNumberGenerator) -> SyntheticCheckpoint {
        let count = random.chance(0.1) ? 0 : Int.random(in: 1...12, using: &random)
        var names = Set<String>()
        var tensors: [TensorSpec] = []
        while tensors.count < count {
            let name = randomName(index: tensors.count, using: &random)
            guard name != "__metadata__", names.insert(name).inserted else { continue }
            let dtype = random.pick(DType.allCases)
            tensors.append(TensorSpec(name: name, dtype: dtype, shape: randomShape(for: dtype, using: &random),
                                      dataSeed: random.next()))
        }
        var metadata: [String: String]?
        if random.chance(0.6) {
            var entries: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                entries[randomText(length: 1...8, using: &random)] = randomText(length: 0...12, using: &random)
            }
            metadata = entries
        }
        let total = tensors.reduce(0) { $0 + $1.byteCount }
        let layout: Layout = random.chance(0.3)
            ? .singleFile : .sharded(maxShardBytes: Int.random(in: 1...(total + 8), using: &random))
        let encoding: ShardEncoding = random.chance(0.5)
            ? .plain : .compressed(random.pick([.zstd, .lz4]), frameSize: Int.random(in: 1...600, using: &random))
        return SyntheticCheckpoint(tensors: tensors, metadata: metadata, layout: layout, encoding: encoding)
    }

    static let nameAlphabet: [String] = [
        "a", "b", "z", "0", "9", ".", "_", "-", " ", "/", "\\", "\"", "'", "{", "}", "[", "]", ":", ",",
        "\n", "\t", "\u{1}", "\u{7F}", "é", "ß", "Ω", "中", "😀", "\u{FFFD}", "\u{200B}",
    ]

    static func randomName(index: Int, using random: inout some RandomNumberGenerator) -> String {
        if random.chance(0.5) {
            let parts = ["model", "layers", "\(Int.random(in: 0...30, using: &random))",
                         random.pick(["self_attn", "mlp", "norm"]), random.pick(["weight", "bias", "q_proj.weight"])]
            return parts.joined(separator: ".")
        }
        return randomText(length: 0...10, using: &random)
    }

    static func randomText(length: ClosedRange<Int>, using random: inout some RandomNumberGenerator) -> String {
        (0..<Int.random(in: length, using: &random)).map { _ in random.pick(nameAlphabet) }.joined()
    }

    /// A shape of rank 0 to 4 whose bits end on a byte boundary for `dtype`.
    static func randomShape(for dtype: DType, using random: inout some RandomNumberGenerator) -> [Int] {
        var shape = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            random.chance(0.08) ? 0 : Int.random(in: 1...5, using: &random)
        }
        if dtype.byteCount(elements: shape.reduce(1, *)) == nil {
            shape.append(4)  // 4 elements of 4 or 6 bits end on a byte
        }
        return shape
    }
}
