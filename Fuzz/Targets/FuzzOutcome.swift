/// What one input did to the code under test.
public enum FuzzOutcome: Sendable, Equatable, CustomStringConvertible {
    /// The input was accepted: a valid document, file or checkpoint, read completely.
    case accepted
    /// The input was rejected with a typed error (its description).
    case rejected(String)
    /// An invariant broke: the code under test accepted something it must not, or two ways of
    /// reading the same bytes disagreed. The fuzz driver traps on it; tests fail on it.
    case violation(String)

    public var description: String {
        switch self {
        case .accepted: return "accepted"
        case .rejected(let reason): return "rejected: \(reason)"
        case .violation(let reason): return "VIOLATION: \(reason)"
        }
    }

    /// Whether this is a violation.
    public var isViolation: Bool {
        if case .violation = self { return true }
        return false
    }
}

/// Thrown inside an oracle to end a run with a violation.
public struct InvariantViolation: Error, CustomStringConvertible {
    /// What broke.
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Throws `InvariantViolation(reason())` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws(InvariantViolation) {
    if !condition { throw InvariantViolation(reason()) }
}
