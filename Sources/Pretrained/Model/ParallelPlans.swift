/// Tensor, pipeline and expert parallel plans, as `transformers` collects them at post-init
/// (`_tp_plan`, `_pp_plan`, `_ep_plan`): module-name patterns (`layers.*.self_attn.q_proj`) to a
/// strategy (`colwise`), or, for pipeline stages, to input and output names.
///
/// ```swift
/// let plans = ParallelPlans(tp: [("layers.*.self_attn.q_proj", "colwise")])
/// plans.tp == [ParallelPlans.Rule(pattern: "layers.*.self_attn.q_proj", strategy: "colwise")]   // true
/// let json = try JSONEncoder().encode(plans)   // {"tp":[{"pattern":...,"strategy":"colwise"}],"pp":[],"ep":[]}
/// ```
public struct ParallelPlans: Hashable, Codable, Sendable {
    /// A tensor or expert parallel entry: the modules matching `pattern` use `strategy`.
    public struct Rule: Hashable, Codable, Sendable {
        /// A module-name pattern (`layers.*.mlp.up_proj`).
        public var pattern: String
        /// The strategy (`colwise`, `rowwise`, `colwise_gather_output`, ...).
        public var strategy: String

        /// The entry giving the modules matching `pattern` the strategy `strategy`.
        public init(pattern: String, strategy: String) {
            self.pattern = pattern
            self.strategy = strategy
        }
    }

    /// A pipeline entry: the modules matching `pattern` take `inputs` and produce `outputs`.
    public struct Stage: Hashable, Codable, Sendable {
        /// A module-name pattern (`layers`).
        public var pattern: String
        /// The names of the stage's inputs (`hidden_states`, `attention_mask`).
        public var inputs: [String]
        /// The names of the stage's outputs.
        public var outputs: [String]

        /// The stage of the modules matching `pattern`, with its input and output names.
        public init(pattern: String, inputs: [String], outputs: [String]) {
            self.pattern = pattern
            self.inputs = inputs
            self.outputs = outputs
        }
    }

    /// Pattern -> strategy, in insertion order.
    public var tp: [Rule]
    /// Pattern -> (input names, output names), in insertion order.
    public var pp: [Stage]
    /// Pattern -> strategy, in insertion order.
    public var ep: [Rule]

    /// Plans from declarations written as tuples, as architecture files state them:
    /// `(pattern, strategy)` and `(pattern, inputs, outputs)`.
    public init(tp: [(String, String)] = [], pp: [(String, [String], [String])] = [], ep: [(String, String)] = []) {
        self.tp = tp.map { Rule(pattern: $0.0, strategy: $0.1) }
        self.pp = pp.map { Stage(pattern: $0.0, inputs: $0.1, outputs: $0.2) }
        self.ep = ep.map { Rule(pattern: $0.0, strategy: $0.1) }
    }

    public var isEmpty: Bool { tp.isEmpty && pp.isEmpty && ep.isEmpty }

    /// Adds `other`'s entries with `prefix.` in front of each pattern; an existing pattern keeps
    /// its position and takes the new value (as a Python dict `update`).
    public mutating func merge(_ other: ParallelPlans, prefix: String? = nil) {
        func name(_ pattern: String) -> String { prefix.map { "\($0).\(pattern)" } ?? pattern }
        for entry in other.tp { upsert(&tp, Rule(pattern: name(entry.pattern), strategy: entry.strategy)) { $0.pattern } }
        for entry in other.pp {
            upsert(&pp, Stage(pattern: name(entry.pattern), inputs: entry.inputs, outputs: entry.outputs)) { $0.pattern }
        }
        for entry in other.ep { upsert(&ep, Rule(pattern: name(entry.pattern), strategy: entry.strategy)) { $0.pattern } }
    }

    private func upsert<T>(_ list: inout [T], _ item: T, key: (T) -> String) {
        if let i = list.firstIndex(where: { key($0) == key(item) }) {
            list[i] = item
        } else {
            list.append(item)
        }
    }
}
