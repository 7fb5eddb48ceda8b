/// Where a module of a device map lives, as `accelerate` names devices: an accelerator by ordinal
/// (`0`, `1`, ...), host memory (`cpu`) or offloaded to disk (`disk`).
///
/// Devices order as `accelerate` fills them: accelerators by ordinal, then `cpu`, then `disk`.
public enum Device: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// An accelerator (GPU, NPU, ...) by ordinal, as `max_memory={0: "10GB"}` names it.
    case accelerator(Int)
    /// Host memory.
    case cpu
    /// Offloaded to disk: read back when used.
    case disk

    /// `0`, `cpu` or `disk`, as a `--max-memory` spec and `device_bytes` keys spell it.
    public var description: String {
        switch self {
        case .accelerator(let ordinal): return String(ordinal)
        case .cpu: return "cpu"
        case .disk: return "disk"
        }
    }

    /// Whether the device is an accelerator.
    public var isAccelerator: Bool {
        if case .accelerator = self { return true }
        return false
    }

    private var rank: (Int, Int) {
        switch self {
        case .accelerator(let ordinal): return (0, ordinal)
        case .cpu: return (1, 0)
        case .disk: return (2, 0)
        }
    }

    public static func < (lhs: Device, rhs: Device) -> Bool { lhs.rank < rhs.rank }
}
