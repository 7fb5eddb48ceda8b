extension ModelConfig {
    /// A number field (written as an integer or not); `default` when absent or null.
    ///
    /// - Throws: `PretrainedError.invalidConfig` when present but not a number.
    public func double(_ key: String, default fallback: Double) throws(PretrainedError) -> Double {
        guard let value = json[key], !value.isNull else { return fallback }
        guard let number = value.doubleValue else {
            throw .invalidConfig(file: file, reason: "'\(key)' is \(value.serialized()), not a number")
        }
        return number
    }
}
