/// Tensor, pipeline and expert parallel plans, as `transformers` collects them at post-init
/// (`_tp_plan`, `_pp_plan`, `_ep_plan`): module-name patterns (`layers.*.self_attn.q_proj`) to a
/// strategy (`colwise`), or, for pipeline stages, to input and output names.
public struct ParallelPlans: Sendable, Equatable {
    /// Pattern -> strategy, in insertion order.
    public var tp: [(pattern: String, strategy: String)]
    /// Pattern -> (input names, output names), in insertion order.
    public var pp: [(pattern: String, inputs: [String], outputs: [String])]
    /// Pattern -> strategy, in insertion order.
    public var ep: [(pattern: String, strategy: String)]

    public init(tp: [(String, String)] = [], pp: [(String, [String], [String])] = [], ep: [(String, String)] = []) {
        self.tp = tp.map { (pattern: $0.0, strategy: $0.1) }
        self.pp = pp.map { (pattern: $0.0, inputs: $0.1, outputs: $0.2) }
        self.ep = ep.map { (pattern: $0.0, strategy: $0.1) }
    }

    public static func == (lhs: ParallelPlans, rhs: ParallelPlans) -> Bool {
        lhs.tp.elementsEqual(rhs.tp) { $0 == $1 }
            && lhs.pp.elementsEqual(rhs.pp) { $0.pattern == $1.pattern && $0.inputs == $1.inputs && $0.outputs == $1.outputs }
            && lhs.ep.elementsEqual(rhs.ep) { $0 == $1 }
    }

    public var isEmpty: Bool { tp.isEmpty && pp.isEmpty && ep.isEmpty }

    /// Adds `other`'s entries with `prefix.` in front of each pattern; an existing pattern keeps
    /// its position and takes the new value (as a Python dict `update`).
    public mutating func merge(_ other: ParallelPlans, prefix: String? = nil) {
        func name(_ pattern: String) -> String { prefix.map { "\($0).\(pattern)" } ?? pattern }
        for entry in other.tp { upsert(&tp, (pattern: name(entry.pattern), strategy: entry.strategy)) { $0.pattern } }
        for entry in other.pp {
            upsert(&pp, (pattern: name(entry.pattern), inputs: entry.inputs, outputs: entry.outputs)) { $0.pattern }
        }
        for entry in other.ep { upsert(&ep, (pattern: name(entry.pattern), strategy: entry.strategy)) { $0.pattern } }
    }

    private func upsert<T>(_ list: inout [T], _ item: T, key: (T) -> String) {
        if let i = list.firstIndex(where: { key($0) == key(item) }) {
            list[i] = item
        } else {
            list.append(item)
        }
    }
}
