#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one slot is initialized when a model is built from its config without a checkpoint, as
/// the family's `_init_weights` does in `transformers` 5.
public enum InitializationRule: Sendable, Equatable {
    /// Normally distributed with mean 0 and this standard deviation.
    case normal(std: Double)
    /// Normal, with one row (an embedding's `padding_idx`) set to zero.
    case normalWithZeroRow(std: Double, row: Int)
    case zeros
    case ones
    /// Every element set to this value.
    case constant(Double)
}

/// An architecture whose initialization differs from `transformers`' default
/// (`PreTrainedModel._init_weights`: linear and embedding weights normal with the config's
/// `initializer_range`, biases zero, norm weights one, embedding padding rows zero).
public protocol CustomWeightInitialization {
    /// The rule for `slot`, held by a module of class `moduleClass`; `nil` for the default.
    func initialization(of slot: TensorSlot, moduleClass: String, config: ModelConfig) throws(PretrainedError)
        -> InitializationRule?
}

enum WeightInitialization {
    /// The rule for each slot of `model`, in slot order.
    static func rules(for model: MetaModel) throws(PretrainedError) -> [InitializationRule] {
        let config = model.config
        let range = try config.double("initializer_range", default: 0.02)
        let padding = try config.has("pad_token_id") ? config.int("pad_token_id", default: 0) : nil
        let owners = moduleClasses(model.root)
        var rules: [InitializationRule] = []
        rules.reserveCapacity(model.slots.count)
        for slot in model.slots {
            let owner = owners[slot.name] ?? ""
            if let custom = model.architecture as? any CustomWeightInitialization,
               let rule = try custom.initialization(of: slot, moduleClass: owner, config: config) {
                rules.append(rule)
                continue
            }
            rules.append(defaultRule(slot, owner: owner, range: range, padding: padding))
        }
        return rules
    }

    /// `PreTrainedModel._init_weights` for the module classes our architectures use.
    static func defaultRule(_ slot: TensorSlot, owner: String, range: Double, padding: Int?) -> InitializationRule {
        let local = slot.name.split(separator: ".").last.map(String.init) ?? slot.name
        if owner.contains("Norm") { return local == "bias" ? .zeros : .ones }
        if local == "bias" { return .zeros }
        // The token embeddings our families build with `padding_idx = config.pad_token_id`.
        let paddedEmbedding = slot.name.hasSuffix("embed_tokens.weight") || slot.name.hasSuffix("word_embeddings.weight")
        if owner == "Embedding", paddedEmbedding, let padding, slot.shape.count == 2, padding >= 0, padding < slot.shape[0] {
            return .normalWithZeroRow(std: range, row: padding)
        }
        return .normal(std: range)
    }

    /// The class of the module that directly holds each slot.
    static func moduleClasses(_ root: Module) -> [String: String] {
        var owners: [String: String] = [:]
        func walk(_ module: Module, prefix: String) {
            for entry in module.entries { owners[prefix + entry.name] = module.className }
            for child in module.children { walk(child.module, prefix: prefix + child.name + ".") }
        }
        walk(root, prefix: "")
        return owners
    }

    /// Fills `storage` (of `slot`'s dtype) per `rule`.
    static func fill(_ storage: TensorStorage, slot: TensorSlot, rule: InitializationRule,
                     generator: inout NormalGenerator) {
        let count = slot.elementCount
        let width = slot.dtype.bitSize / 8
        guard count > 0, ElementConversion.supported.contains(slot.dtype) else {
            storage.bytes.initializeMemory(as: UInt8.self, repeating: 0)
            return
        }
        var chunk = [Float](repeating: 0, count: min(count, 1 << 16))
        var done = 0
        while done < count {
            let n = min(chunk.count, count - done)
            for i in 0..<n {
                switch rule {
                case .zeros: chunk[i] = 0
                case .ones: chunk[i] = 1
                case .constant(let value): chunk[i] = Float(value)
                case .normal(let std): chunk[i] = Float(generator.next() * std)
                case .normalWithZeroRow(let std, let row):
                    let rowLength = slot.shape.dropFirst().reduce(1, *)
                    chunk[i] = (done + i) / max(rowLength, 1) == row ? 0 : Float(generator.next() * std)
                }
            }
            chunk.withUnsafeBytes { source in
                let target = UnsafeMutableRawBufferPointer(rebasing: storage.bytes[(done * width)..<((done + n) * width)])
                ElementConversion.convert(UnsafeRawBufferPointer(rebasing: source[0..<(n * 4)]), from: .f32,
                                          into: target, to: slot.dtype, count: n)
            }
            done += n
        }
    }
}

/// Standard normal numbers from a seeded xoshiro256** generator (Box-Muller), reproducible
/// across platforms for a given seed.
public struct NormalGenerator: Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spare: Double?

    public init(seed: UInt64) {
        var mix = seed
        func splitmix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    mutating func nextBits() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// A uniform number in (0, 1].
    mutating func uniform() -> Double {
        (Double(nextBits() >> 11) + 1) * 0x1p-53
    }

    /// A standard normal number.
    public mutating func next() -> Double {
        if let spare {
            self.spare = nil
            return spare
        }
        let radius = (-2 * log(uniform())).squareRoot()
        let angle = 2 * Double.pi * uniform()
        spare = radius * sin(angle)
        return radius * cos(angle)
    }
}
