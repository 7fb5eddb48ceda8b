import Foundation
import Pretrained

/// The benchmark's checkpoint: TinyLlama-1.1B's shapes (or a ~100 MB model of the same
/// structure), bf16, `transformers`' names and shard layout, random weight-like values from a
/// fixed seed. Written once into a cache folder and reused.
struct BenchCheckpoint {
    enum Size: String, CaseIterable {
        case small, full
    }

    struct Shape {
        var vocab, hidden, intermediate, layers, heads, keyValueHeads: Int
        var maxShardBytes: Int
    }

    static func shape(_ size: Size) -> Shape {
        switch size {
        case .full:
            return Shape(vocab: 32000, hidden: 2048, intermediate: 5632, layers: 22, heads: 32, keyValueHeads: 4,
                         maxShardBytes: 500_000_000)
        case .small:
            return Shape(vocab: 16000, hidden: 768, intermediate: 2048, layers: 4, heads: 12, keyValueHeads: 2,
                         maxShardBytes: 25_000_000)
        }
    }

    let size: Size
    let directory: String

    var shape: Shape { Self.shape(size) }

    /// The config.json of the model.
    var config: JSONValue {
        let s = shape
        return .object([
            (key: "architectures", value: ["LlamaForCausalLM"]), (key: "model_type", value: "llama"),
            (key: "hidden_size", value: .int(s.hidden)), (key: "intermediate_size", value: .int(s.intermediate)),
            (key: "num_hidden_layers", value: .int(s.layers)), (key: "num_attention_heads", value: .int(s.heads)),
            (key: "num_key_value_heads", value: .int(s.keyValueHeads)), (key: "vocab_size", value: .int(s.vocab)),
            (key: "max_position_embeddings", value: 2048), (key: "rms_norm_eps", value: .double(1e-5)),
            (key: "tie_word_embeddings", value: false), (key: "dtype", value: "bfloat16"),
        ])
    }

    /// Writes the checkpoint unless a complete one is already there; returns whether it wrote.
    @discardableResult
    func prepare() throws -> Bool {
        let marker = directory + "/.complete"
        if FileManager.default.fileExists(atPath: marker) { return false }
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let model = try MetaModel(config: ModelConfig(json: config))
        var generator = WeightGenerator(seed: 0x5EED)
        let tensors = try model.slots.map { slot in
            let storage = TensorStorage(uninitializedByteCount: slot.byteCount)
            generator.fillBF16(storage.bytes)
            return try Tensor(name: slot.name, dtype: slot.dtype, shape: slot.shape, storage: storage)
        }
        try ShardedCheckpointWriter.write(tensors, maxShardBytes: shape.maxShardBytes, to: directory)
        try Data(config.serialized(pretty: true).utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try Data().write(to: URL(fileURLWithPath: marker))
        return true
    }

    /// The shard files, in order.
    func shardPaths() throws -> [String] {
        try Checkpoint.resolve(directory).shards.map(\.path)
    }

    /// A compressed copy of the checkpoint.
    struct Variant {
        var name: String
        var compression: ShardCompression
        var frameSize: Int
    }

    /// zstd with one frame per shard (sequential decoding), zstd and lz4 in 4 MiB frames (parallel).
    static let variants = [
        Variant(name: "zstd1", compression: .zstd, frameSize: 1 << 30),
        Variant(name: "zstd", compression: .zstd, frameSize: 4 << 20),
        Variant(name: "lz4", compression: .lz4, frameSize: 4 << 20),
    ]

    func directory(of variant: Variant) -> String { directory + "-" + variant.name }

    /// Writes the compressed variants that are not there yet.
    func prepareVariants() throws {
        for variant in Self.variants {
            let target = directory(of: variant)
            let marker = target + "/.complete"
            if FileManager.default.fileExists(atPath: marker) { continue }
            try? FileManager.default.removeItem(atPath: target)
            let options = CompressedShardWriter.Options(compression: variant.compression, frameSize: variant.frameSize)
            _ = try CheckpointCompressor.compress(Checkpoint.resolve(directory), to: target, options: options, verify: false)
            try Data().write(to: URL(fileURLWithPath: marker))
        }
    }
}

/// Weight-like bf16 values: random sign and mantissa, exponents of magnitudes around 0.001-0.1,
/// so codecs see the entropy real weights have.
struct WeightGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func fillBF16(_ buffer: UnsafeMutableRawBufferPointer) {
        let count = buffer.count / 2
        var i = 0
        while i < count {
            var bits = next()
            for _ in 0..<4 where i < count {
                let sign = UInt16(bits & 1) << 15
                let exponent = UInt16(0x75 + (bits >> 1) % 6) << 7
                let mantissa = UInt16((bits >> 4) & 0x7F)
                buffer.storeBytes(of: (sign | exponent | mantissa).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                bits >>= 16
                i += 1
            }
        }
    }
}
