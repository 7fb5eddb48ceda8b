/// A model's `config.json`: the JSON as written, with typed accessors that apply the defaults of
/// the `transformers` config class and report wrongly typed fields.
///
/// ```swift
/// let config = try ModelConfig.read(path: "gpt2/config.json")
/// let layers = try config.int("n_layer", default: 12)
/// ```
public struct ModelConfig: Sendable {
    /// The parsed document (an object).
    public var json: JSONValue
    /// Where it came from, for errors (`config.json` when built in memory).
    public var file: String

    /// A config from a parsed JSON object.
    ///
    /// - Throws: `PretrainedError.invalidConfig` when `json` is not an object.
    public init(json: JSONValue, file: String = "config.json") throws(PretrainedError) {
        guard case .object = json else { throw .invalidConfig(file: file, reason: "the top level is not a JSON object") }
        self.json = json
        self.file = file
    }

    /// Reads and parses the config at `path`.
    public static func read(path: String) throws(PretrainedError) -> ModelConfig {
        let bytes = try FileContents.read(path: path, limit: FileContents.maximumJSONSize)
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes.readOnly)
        } catch {
            throw .invalidConfig(file: path, reason: "not valid JSON: \(error.description)")
        }
        return try ModelConfig(json: json, file: path)
    }

    /// `architectures` (empty when absent).
    public var architectures: [String] {
        json["architectures"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// `model_type`, when present.
    public var modelType: String? { json["model_type"]?.stringValue }

    /// Whether the key is present with a non-null value.
    public func has(_ key: String) -> Bool {
        guard let value = json[key] else { return false }
        return !value.isNull
    }

    /// An integer field; `default` when absent or null.
    ///
    /// - Throws: `PretrainedError.invalidConfig` when present but not an integer, negative, or
    ///   2^31 or more.
    public func int(_ key: String, default fallback: Int) throws(PretrainedError) -> Int {
        guard let value = json[key], !value.isNull else { return fallback }
        guard case .int(let number) = value else {
            throw .invalidConfig(file: file, reason: "'\(key)' is \(value.serialized()), not an integer")
        }
        guard number >= 0 else { throw .invalidConfig(file: file, reason: "'\(key)' is negative (\(number))") }
        // Sizes are multiplied by each other and by small constants while the skeleton is built;
        // below 2^31 no product of two of them can overflow, and shapes are checked after.
        guard number <= Int(Int32.max) else {
            throw .invalidConfig(file: file, reason: "'\(key)' is \(number), larger than any model dimension (2^31 - 1)")
        }
        return number
    }

    /// The largest repetition count (layers, experts) a config may ask for: far above any real
    /// model, low enough that a hostile config cannot make the skeleton itself exhaust memory.
    public static let maximumCount = 65_536

    /// A repetition count (layers, experts): a non-negative integer up to `maximumCount`.
    public func count(_ key: String, default fallback: Int) throws(PretrainedError) -> Int {
        let value = try int(key, default: fallback)
        guard value <= Self.maximumCount else {
            throw .invalidConfig(file: file, reason: "'\(key)' is \(value), more than the \(Self.maximumCount) supported")
        }
        return value
    }

    /// A required positive integer field, or `default`.
    public func positiveInt(_ key: String, default fallback: Int) throws(PretrainedError) -> Int {
        let value = try int(key, default: fallback)
        guard value > 0 else { throw .invalidConfig(file: file, reason: "'\(key)' must be positive, not \(value)") }
        return value
    }

    /// A boolean field; `default` when absent or null.
    public func bool(_ key: String, default fallback: Bool) throws(PretrainedError) -> Bool {
        guard let value = json[key], !value.isNull else { return fallback }
        guard case .bool(let flag) = value else {
            throw .invalidConfig(file: file, reason: "'\(key)' is \(value.serialized()), not a boolean")
        }
        return flag
    }

    /// A string field; `default` when absent or null.
    public func string(_ key: String, default fallback: String) throws(PretrainedError) -> String {
        guard let value = json[key], !value.isNull else { return fallback }
        guard case .string(let text) = value else {
            throw .invalidConfig(file: file, reason: "'\(key)' is \(value.serialized()), not a string")
        }
        return text
    }

    /// The config's dtype (`dtype`, or the older `torch_dtype`), as `transformers` names it
    /// (`float32`, `bfloat16`, `float16`, ...); `nil` when absent or `auto`.
    public func dtype() throws(PretrainedError) -> DType? {
        for key in ["dtype", "torch_dtype"] {
            guard let value = json[key], !value.isNull else { continue }
            guard case .string(let name) = value else {
                throw .invalidConfig(file: file, reason: "'\(key)' is \(value.serialized()), not a dtype name")
            }
            if name == "auto" { return nil }
            guard let dtype = DType(torchName: name) else {
                throw .invalidConfig(file: file, reason: "'\(key)' names unknown dtype '\(name)'")
            }
            return dtype
        }
        return nil
    }

    /// Returns a copy with `key` set to `value` (for example to untie, or for tests).
    public func setting(_ key: String, to value: JSONValue) -> ModelConfig {
        var copy = self
        guard case .object(var members) = json else { return self }
        members.removeAll { $0.key == key }
        members.append((key: key, value: value))
        copy.json = .object(members)
        return copy
    }
}

extension DType {
    /// The dtype PyTorch names `name` (`float32`, `torch.bfloat16`, `half`, ...), if any.
    public init?(torchName name: String) {
        let bare = name.hasPrefix("torch.") ? String(name.dropFirst(6)) : name
        switch bare {
        case "float32", "float": self = .f32
        case "float16", "half": self = .f16
        case "bfloat16": self = .bf16
        case "float64", "double": self = .f64
        case "int8": self = .i8
        case "uint8": self = .u8
        case "int16", "short": self = .i16
        case "int32", "int": self = .i32
        case "int64", "long": self = .i64
        case "bool": self = .bool
        case "float8_e4m3fn": self = .f8e4m3
        case "float8_e5m2": self = .f8e5m2
        default: return nil
        }
    }
}
