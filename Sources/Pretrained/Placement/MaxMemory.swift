/// Memory budgets per device for device-map inference: `accelerate`'s `max_memory`.
///
/// ```swift
/// let budget = try MaxMemory(parsing: "0=10GB,1=10GB,cpu=30GB,disk=1000GB")
/// budget.devices          // [.accelerator(0), .accelerator(1), .cpu, .disk]
/// budget[.cpu]            // 30_000_000_000
/// ```
///
/// Sizes follow `MemorySize.parse` (`GB` = 10^9, `GiB` = 2^30, plain digits = bytes). A spec without
/// `disk` still lets inference offload to disk, as `accelerate` always appends it.
public struct MaxMemory: Sendable, Hashable, CustomStringConvertible {
    /// Budgets in bytes.
    public let budgets: [Device: Int]

    /// Budgets from a dictionary of byte counts.
    ///
    /// - Throws: `PretrainedError.invalidMaxMemory` for a negative budget or accelerator ordinal.
    public init(_ budgets: [Device: Int]) throws(PretrainedError) {
        for (device, bytes) in budgets {
            if case .accelerator(let ordinal) = device, ordinal < 0 {
                throw .invalidMaxMemory(spec: Self.spec(budgets), reason: "accelerator ordinal \(ordinal) is negative")
            }
            guard bytes >= 0 else {
                throw .invalidMaxMemory(spec: Self.spec(budgets), reason: "the budget of \(device) is negative")
            }
        }
        self.budgets = budgets
    }

    /// Reads a spec such as `0=10GB,1=10GB,cpu=30GB,disk=1000GB`: comma-separated `device=size`
    /// pairs, the device an accelerator ordinal, `cpu` or `disk`.
    ///
    /// - Throws: `PretrainedError.invalidMaxMemory` for an empty spec, a pair without `=`, an
    ///   unknown or repeated device, or a size `MemorySize.parse` rejects.
    public init(parsing spec: String) throws(PretrainedError) {
        func fail(_ reason: String) -> PretrainedError { .invalidMaxMemory(spec: spec, reason: reason) }
        guard !spec.allSatisfy(\.isWhitespace) else { throw fail("no devices given") }
        var budgets: [Device: Int] = [:]
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = Self.trimmed(part)
            guard let equals = pair.firstIndex(of: "=") else {
                throw fail("'\(pair)' is not device=size")
            }
            let key = Self.trimmed(pair[..<equals])
            let value = Self.trimmed(pair[pair.index(after: equals)...])
            let device: Device
            switch key {
            case "cpu": device = .cpu
            case "disk": device = .disk
            default:
                guard !key.isEmpty, key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                      let ordinal = Int(key) else {
                    throw fail("unknown device '\(key)': use accelerator ordinals (0, 1, ...), cpu or disk")
                }
                device = .accelerator(ordinal)
            }
            guard budgets[device] == nil else { throw fail("device \(device) is given twice") }
            do {
                budgets[device] = try MemorySize.parse(value)
            } catch {
                if case .invalidMaxMemory(_, let reason) = error { throw fail(reason) }
                throw error
            }
        }
        self.budgets = budgets
    }

    /// The devices with a budget, in the order `accelerate` fills them: accelerators by ordinal,
    /// then `cpu`, then `disk`.
    public var devices: [Device] { budgets.keys.sorted() }

    /// The budget of `device` in bytes, if it has one.
    public subscript(device: Device) -> Int? { budgets[device] }

    /// The budgets as a spec in bytes (`0=10000000000,cpu=30000000000`).
    public var description: String { Self.spec(budgets) }

    private static func trimmed(_ text: some StringProtocol) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    private static func spec(_ budgets: [Device: Int]) -> String {
        budgets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
