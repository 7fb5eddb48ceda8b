/// Expansion of declared tied-weight keys into concrete slot names, as `transformers`'
/// `get_expanded_tied_weights_keys`.
enum TiedWeights {
    /// Expands each (target, source) declaration against `names`: a plain name stands for itself
    /// when it is a slot; a regular expression stands for every slot it fully matches, and
    /// targets pair with sources in order, sources repeating when there are a multiple of them.
    ///
    /// - Throws: `PretrainedError.invalidArchitecture` when the targets are not a multiple of the
    ///   sources, or an expression is invalid.
    static func expand(_ declared: [(target: String, source: String)], names: [String],
                       architecture: String) throws(PretrainedError) -> [TiedPair] {
        var expanded: [TiedPair] = []
        for (target, source) in declared {
            let targets = try matches(target, in: names, architecture: architecture)
            let sources = try matches(source, in: names, architecture: architecture)
            guard !targets.isEmpty, !sources.isEmpty else { continue }
            guard targets.count % sources.count == 0 else {
                throw .invalidArchitecture(
                    name: architecture,
                    reason: "tied targets '\(target)' (\(targets.count)) are not a multiple of sources '\(source)' (\(sources.count))")
            }
            for (i, name) in targets.enumerated() {
                expanded.append(TiedPair(target: name, source: sources[i % sources.count]))
            }
        }
        return expanded
    }

    static func matches(_ pattern: String, in names: [String], architecture: String) throws(PretrainedError) -> [String] {
        if names.contains(pattern) { return [pattern] }
        guard pattern.contains(where: { "*+?[](){}|^$\\".contains($0) }) else { return [] }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            throw .invalidArchitecture(name: architecture, reason: "invalid tied-key expression '\(pattern)'")
        }
        return names.filter { (try? regex.wholeMatch(in: $0)) != nil }
    }
}
