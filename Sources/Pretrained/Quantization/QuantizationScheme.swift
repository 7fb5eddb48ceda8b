/// The quantization a checkpoint's `config.json` declares, and which modules it replaces.
///
/// Two keys are read, as the tools that write them do: `quantization_config` (`transformers`:
/// `quant_method` `"fp8"` with `weight_block_size`, `"mxfp4"`, `"gptq"`, `"awq"`, and
/// `modules_to_not_convert`) and
/// `quantization` (`mlx_lm`: `group_size`, `bits`, `mode`, and per-module objects or `false`
/// under the module's path).
///
/// ```swift
/// let scheme = try QuantizationScheme.detect(config: config.json, file: config.file)
/// scheme?.format(module: "model.layers.0.mlp.up_proj", className: "Linear", weightShape: [64, 32])
/// ```
public struct QuantizationScheme: Sendable {
    /// `fp8`, `mxfp4`, `gptq`, `awq` or `mlx`.
    public var method: String
    /// The format of modules without an override.
    public var format: QuantizationFormat
    /// Module names (or name fragments) kept unquantized.
    public var modulesToNotConvert: [String]
    /// Per-module formats (`nil`: not quantized), by module path (MLX).
    public var overrides: [String: QuantizationFormat?]
    /// FP8 without `modules_to_not_convert`: `transformers`' default skips apply (tied modules,
    /// the last parameter's module, the output embedding).
    public var defaultSkips = false

    /// The scheme `json` declares, `nil` when it declares none.
    ///
    /// - Throws: `PretrainedError.invalidQuantization` naming `file` for an unknown
    ///   `quant_method`, a block or group size that is not positive, or unsupported bits.
    public static func detect(config json: JSONValue, file: String) throws(PretrainedError) -> QuantizationScheme? {
        if let mlx = json["quantization"], mlx != .null {
            return try mlxScheme(mlx, file: file)
        }
        guard let config = json["quantization_config"], config != .null else { return nil }
        guard let method = config["quant_method"]?.stringValue else {
            throw .invalidQuantization(file: file, reason: "quantization_config has no string 'quant_method'")
        }
        switch method {
        case "fp8":
            var block = [128, 128]
            if let value = config["weight_block_size"], value != .null {
                guard case .array(let items) = value, items.count == 2,
                      let rows = items[0].intValue, let columns = items[1].intValue else {
                    throw .invalidQuantization(file: file, reason: "weight_block_size must be two integers")
                }
                block = [rows, columns]
            }
            guard block.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }) else {
                throw .invalidQuantization(file: file, reason: "weight_block_size \(block) must be positive")
            }
            var skip: [String] = []
            let listed = config["modules_to_not_convert"]
            if case .array(let items)? = listed {
                skip = items.compactMap(\.stringValue)
            }
            var scheme = QuantizationScheme(method: "fp8", format: .fp8Block(rows: block[0], columns: block[1]),
                                            modulesToNotConvert: skip, overrides: [:])
            scheme.defaultSkips = listed == nil || listed == .null
            return scheme
        case "gptq":
            guard let bits = config["bits"]?.intValue, [2, 4, 8].contains(bits) else {
                throw .invalidQuantization(file: file, reason: "gptq bits must be 2, 4 or 8")
            }
            let groupSize = config["group_size"]?.intValue ?? 128
            guard groupSize == -1 || (groupSize > 0 && groupSize <= 1 << 20) else {
                throw .invalidQuantization(file: file, reason: "gptq group_size \(groupSize) must be positive or -1")
            }
            let v2 = config["checkpoint_format"]?.stringValue == "gptq_v2"
            var skip: [String] = []
            let listed = config["modules_to_not_convert"]
            if case .array(let items)? = listed { skip = items.compactMap(\.stringValue) }
            var scheme = QuantizationScheme(method: "gptq", format: .gptq(groupSize: groupSize, bits: bits, zeroOffset: v2 ? 0 : 1),
                                            modulesToNotConvert: skip, overrides: [:])
            scheme.defaultSkips = listed == nil || listed == .null
            return scheme
        case "awq":
            return try awqScheme(config, file: file)
        case "mxfp4":
            var skip: [String] = []
            if case .array(let items)? = config["modules_to_not_convert"] { skip = items.compactMap(\.stringValue) }
            return QuantizationScheme(method: "mxfp4", format: .mxfp4, modulesToNotConvert: skip, overrides: [:])
        default:
            throw .invalidQuantization(file: file, reason: "quant_method '\(method)' is not supported "
                + "(supported: fp8, mxfp4, gptq, awq, and MLX's 'quantization')")
        }
    }

    /// AWQ as `transformers`' `AwqConfig` reads it: `bits` (default 4), `group_size` (default 128,
    /// -1 for one group), `version` or `format` (default `gemm`, lower-cased), `zero_point`
    /// (default true); its quantizer always adds the default skips to `modules_to_not_convert`.
    static func awqScheme(_ config: JSONValue, file: String) throws(PretrainedError) -> QuantizationScheme {
        func given(_ key: String) -> JSONValue? { config[key].flatMap { $0.isNull ? nil : $0 } }
        let bits = given("bits").map { $0.intValue ?? 0 } ?? 4
        guard bits == 4 else {
            throw .invalidQuantization(file: file, reason: "awq bits \(bits) is not supported (only 4)")
        }
        let groupSize = given("group_size").map { $0.intValue ?? 0 } ?? 128
        guard groupSize == -1 || (groupSize > 0 && groupSize <= 1 << 20) else {
            throw .invalidQuantization(file: file, reason: "awq group_size \(groupSize) must be positive or -1")
        }
        let version = (given("version") ?? given("format")).map { $0.stringValue?.lowercased() ?? "" } ?? "gemm"
        guard version == "gemm" else {
            throw .invalidQuantization(file: file, reason: "awq version '\(version)' is not supported (only 'gemm'; "
                + "gemv, gemv_fast and llm-awq pack differently)")
        }
        guard given("zero_point")?.boolValue != false else {
            throw .invalidQuantization(file: file, reason: "awq without zero_point is not supported")
        }
        var skip: [String] = []
        if case .array(let items)? = given("modules_to_not_convert") { skip = items.compactMap(\.stringValue) }
        var scheme = QuantizationScheme(method: "awq", format: .awq(groupSize: groupSize, bits: bits),
                                        modulesToNotConvert: skip, overrides: [:])
        scheme.defaultSkips = true
        return scheme
    }

    static func mlxScheme(_ value: JSONValue, file: String) throws(PretrainedError) -> QuantizationScheme {
        guard case .object(let members) = value else {
            throw .invalidQuantization(file: file, reason: "'quantization' must be an object")
        }
        let format = try mlxFormat(value, file: file, path: "quantization")
        var overrides: [String: QuantizationFormat?] = [:]
        for (key, member) in members {
            switch member {
            case .bool(false): overrides[key] = .some(nil)
            case .object: overrides[key] = .some(try mlxFormat(member, file: file, path: "quantization.\(key)"))
            default: continue
            }
        }
        return QuantizationScheme(method: "mlx", format: format, modulesToNotConvert: [], overrides: overrides)
    }

    static func mlxFormat(_ value: JSONValue, file: String, path: String) throws(PretrainedError) -> QuantizationFormat {
        guard let groupSize = value["group_size"]?.intValue, let bits = value["bits"]?.intValue else {
            throw .invalidQuantization(file: file, reason: "\(path) needs integer 'group_size' and 'bits'")
        }
        if let mode = value["mode"]?.stringValue, mode != "affine" {
            throw .invalidQuantization(file: file, reason: "\(path): mode '\(mode)' is not supported (only 'affine')")
        }
        guard [2, 3, 4, 5, 6, 8].contains(bits) else {
            throw .invalidQuantization(file: file, reason: "\(path): bits \(bits) is not one of 2, 3, 4, 5, 6, 8")
        }
        guard groupSize > 0, groupSize <= 1 << 16, groupSize * bits % 32 == 0 else {
            throw .invalidQuantization(file: file, reason: "\(path): group_size \(groupSize) must be positive and "
                + "fill whole 32-bit words at \(bits) bits")
        }
        return .mlxAffine(groupSize: groupSize, bits: bits)
    }

    /// The format that replaces the `weight` of the module at `module` (class `className`, weight
    /// shape `weightShape`), `nil` when the module stays unquantized, as the quantizer decides
    /// before loading: FP8 replaces `Linear` modules outside `modulesToNotConvert`, and the fused
    /// `[experts, out, in]` projections of modules named `experts` (`FP8Experts`); GPTQ and AWQ
    /// replace `Linear` modules; MXFP4 the
    /// fused experts of gpt-oss (`weightShape` is then the parameter's); MLX quantizes
    /// `Linear` and `Embedding` modules whose last dimension divides by the group size, unless
    /// the module's own entry says otherwise.
    public func format(module: String, className: String, weightShape: [Int]) -> QuantizationFormat? {
        if method == "mxfp4" {
            // Mxfp4GptOssExperts replaces GptOssExperts: its gate_up_proj and down_proj.
            return className == "GptOssExperts" && weightShape.count == 3 ? format : nil
        }
        if method == "fp8", weightShape.count == 3 {
            // FP8Experts replaces every module named `experts` (its fused gate_up_proj and down_proj).
            guard module.hasSuffix(".experts") || module == "experts",
                  !modulesToNotConvert.contains(where: { Self.matches(module, $0) }) else { return nil }
            return format
        }
        guard weightShape.count == 2 else { return nil }
        switch method {
        case "fp8", "gptq", "awq":
            guard className == "Linear", !modulesToNotConvert.contains(where: { Self.matches(module, $0) }) else { return nil }
            return format
        default:
            if let override = overrides[module] { return override }
            guard className == "Linear" || className == "Embedding",
                  case .mlxAffine(let groupSize, _) = format, weightShape[1] % groupSize == 0 else { return nil }
            return format
        }
    }

    /// Whether `pattern` names `module` or one of its ancestors or a suffix of it, as
    /// `transformers`' `should_convert_module` matches `modules_to_not_convert`.
    static func matches(_ module: String, _ pattern: String) -> Bool {
        module == pattern || module.hasPrefix(pattern + ".") || module.hasSuffix("." + pattern)
            || module.contains("." + pattern + ".")
    }
}
