import Foundation
import Pretrained

/// Synthetic pre-quantized checkpoints for the dequantization cases, written once into the
/// bench's cache folder: the packed skeleton of a config (as a load builds it) with random stored
/// bytes of plausible ranges. Each dequantizes to a few hundred MB of bf16.
struct QuantizedBenchCheckpoint {
    enum Format: String, CaseIterable {
        /// FP8 E4M3 with [128, 128] F32 block scales: Llama shapes (hidden 2048, intermediate 5632), 4 layers.
        case fp8
        /// MLX affine, 4 bits, group size 64, bf16 scales and biases: the same Llama shapes.
        case mlx4
        /// MXFP4 gpt-oss experts: 8 experts of hidden 2048 and intermediate 2048, 2 layers.
        case mxfp4
        /// GPTQ 4 bits, group size 128, `desc_act` (a `g_idx` per input): the Llama shapes above.
        case gptq
        /// AWQ 4 bits (GEMM packing), group size 128: the Llama shapes above.
        case awq
    }

    /// The group size of the integer formats.
    static let integerGroupSize = 128

    let format: Format
    let directory: String

    init(format: Format, cache: String) {
        self.format = format
        self.directory = cache + "/quantized-" + format.rawValue
    }

    var config: JSONValue {
        switch format {
        case .fp8, .mlx4, .gptq, .awq:
            var members: [(key: String, value: JSONValue)] = [
                (key: "architectures", value: ["LlamaForCausalLM"]), (key: "model_type", value: "llama"),
                (key: "hidden_size", value: 2048), (key: "intermediate_size", value: 5632),
                (key: "num_hidden_layers", value: 4), (key: "num_attention_heads", value: 32),
                (key: "num_key_value_heads", value: 4), (key: "vocab_size", value: 1024),
                (key: "max_position_embeddings", value: 2048), (key: "tie_word_embeddings", value: false),
                (key: "dtype", value: "bfloat16"),
            ]
            switch format {
            case .fp8:
                members.append((key: "quantization_config", value: .object([(key: "quant_method", value: "fp8"),
                                                                           (key: "weight_block_size", value: [128, 128])])))
            case .gptq, .awq:
                let group = JSONValue.int(Self.integerGroupSize)
                members.append((key: "quantization_config", value: .object(format == .gptq
                    ? [(key: "quant_method", value: "gptq"), (key: "bits", value: 4), (key: "group_size", value: group),
                       (key: "desc_act", value: true)]
                    : [(key: "quant_method", value: "awq"), (key: "bits", value: 4), (key: "group_size", value: group),
                       (key: "version", value: "gemm")])))
            default:
                members.append((key: "quantization", value: .object([(key: "group_size", value: 64), (key: "bits", value: 4)])))
            }
            return .object(members)
        case .mxfp4:
            return .object([
                (key: "architectures", value: ["GptOssForCausalLM"]), (key: "model_type", value: "gpt_oss"),
                (key: "hidden_size", value: 2048), (key: "intermediate_size", value: 2048),
                (key: "num_hidden_layers", value: 2), (key: "num_attention_heads", value: 32),
                (key: "num_key_value_heads", value: 4), (key: "head_dim", value: 64),
                (key: "num_local_experts", value: 8), (key: "num_experts_per_tok", value: 2),
                (key: "vocab_size", value: 1024), (key: "max_position_embeddings", value: 2048),
                (key: "layer_types", value: ["sliding_attention", "full_attention"]), (key: "dtype", value: "bfloat16"),
                (key: "quantization_config", value: .object([(key: "quant_method", value: "mxfp4"),
                    (key: "modules_to_not_convert", value: ["model.layers.*.self_attn", "model.layers.*.mlp.router",
                                                            "model.embed_tokens", "lm_head"])])),
            ])
        }
    }

    /// The packed skeleton, as a load builds it.
    func skeleton() throws -> MetaModel {
        let modelConfig = try ModelConfig(json: config)
        let scheme = try QuantizationScheme.detect(config: config, file: "config.json")
        return try MetaModel(config: modelConfig, architecture: ArchitectureRegistry.shared.resolve(modelConfig),
                             quantization: scheme)
    }

    /// The bytes the quantized parameters dequantize to (bf16).
    func dequantizedBytes() throws -> Int {
        try skeleton().quantizedLayouts.reduce(0) { $0 + $1.logicalShape.reduce(1, *) * $1.logicalDType.bitSize / 8 }
    }

    /// Writes the checkpoint unless a complete one is there.
    func prepare() throws {
        let marker = directory + "/.complete"
        if FileManager.default.fileExists(atPath: marker) { return }
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let model = try skeleton()
        var generator = WeightGenerator(seed: 0x0DE9)
        let tensors = try model.slots.map { slot in
            let storage = TensorStorage(uninitializedByteCount: slot.byteCount)
            fill(storage.bytes, slot: slot, generator: &generator)
            return try Tensor(name: slot.name, dtype: slot.dtype, shape: slot.shape, storage: storage)
        }
        try ShardedCheckpointWriter.write(tensors, maxShardBytes: 500_000_000, to: directory)
        try Data(config.serialized(pretty: true).utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try Data().write(to: URL(fileURLWithPath: marker))
    }

    /// Random bytes of each stored kind: bf16 weights, scales and biases weight-like; FP8 scales
    /// F32 around 1/448; MXFP4 exponents near 2^0; packed words and FP8 bytes uniform.
    func fill(_ buffer: UnsafeMutableRawBufferPointer, slot: TensorSlot, generator: inout WeightGenerator) {
        switch slot.dtype {
        case .bf16:
            generator.fillBF16(buffer)
        case .f32:
            for i in 0..<(buffer.count / 4) {
                buffer.storeBytes(of: Float(generator.next() % 1000 + 1) / 448_000, toByteOffset: 4 * i, as: Float.self)
            }
        case .u8 where slot.name.hasSuffix("_scales"):
            for i in 0..<buffer.count { buffer[i] = UInt8(118 + generator.next() % 14) }
        case .f16:
            // Scales: small positive halves (exponent 2^-7..2^-4, random mantissa).
            for i in 0..<(buffer.count / 2) {
                let bits = UInt16(0x2000 + (generator.next() % 0x1000))
                buffer.storeBytes(of: bits, toByteOffset: 2 * i, as: UInt16.self)
            }
        case .i32 where slot.name.hasSuffix(".g_idx"):
            // GPTQ's group of each input, in order (desc_act with the identity order): i / group size.
            for i in 0..<(buffer.count / 4) {
                buffer.storeBytes(of: Int32(i / Self.integerGroupSize), toByteOffset: 4 * i, as: Int32.self)
            }
        default:
            var i = 0
            while i < buffer.count {
                var bits = generator.next()
                for _ in 0..<8 where i < buffer.count {
                    buffer[i] = UInt8(truncatingIfNeeded: bits)
                    bits >>= 8
                    i += 1
                }
            }
        }
    }

    /// The shard files, in order.
    func shardPaths() throws -> [String] {
        try Checkpoint.resolve(directory).shards.map(\.path)
    }
}
