/// Maps checkpoint keys to slot names with `transformers` 5's rules: renames (legacy and the
/// architecture's), expert merging, then adding or stripping the base model prefix.
struct KeyMapper {
    /// Where a checkpoint key lands.
    struct Target {
        /// The slot name.
        var name: String
        /// For a merged key: which block of the slot it fills, of how many per expert.
        var merge: (expert: Int, source: Int, sourceCount: Int)?
        /// Whether the key was renamed or merged on the way.
        var converted: Bool
    }

    private struct Rename {
        var regex: Regex<AnyRegexOutput>
        var replacement: String
        var prefilter: RegexPrefilter
    }

    private struct Merge {
        var sources: [Regex<AnyRegexOutput>]
        var target: String
        var prefilters: [RegexPrefilter]
    }

    private let renames: [Rename]
    private let merges: [Merge]
    private let prefix: String
    private let hasSlot: (String) -> Bool

    /// A mapper for `architecture`, whose slots `hasSlot` recognises.
    init(architecture: any Architecture, hasSlot: @escaping (String) -> Bool) throws(PretrainedError) {
        var renames: [Rename] = []
        var merges: [Merge] = []
        for conversion in WeightConversion.legacy + architecture.conversions {
            switch conversion {
            case let .rename(pattern, replacement):
                renames.append(Rename(regex: try Self.compile(pattern, architecture.name), replacement: replacement,
                                      prefilter: RegexPrefilter([pattern])))
            case let .mergeExperts(sources, target):
                var compiled: [Regex<AnyRegexOutput>] = []
                var prefilters: [RegexPrefilter] = []
                for source in sources {
                    let pieces = source.split(separator: "*", omittingEmptySubsequences: false).map { Self.escape(String($0)) }
                    let pattern = pieces.joined(separator: #"(\d+)"#)
                    compiled.append(try Self.compile(pattern, architecture.name))
                    prefilters.append(RegexPrefilter([pattern]))
                }
                merges.append(Merge(sources: compiled, target: target, prefilters: prefilters))
            }
        }
        self.renames = renames
        self.merges = merges
        self.prefix = architecture.baseModelPrefix
        self.hasSlot = hasSlot
    }

    /// Where `key` lands (a slot name that may not exist; the caller checks).
    func target(of key: String) -> Target {
        var name = key
        for rename in renames where rename.prefilter.mayMatch(name) && name.contains(rename.regex) {
            name = name.replacing(rename.regex, with: rename.replacement)
        }
        var merge: (expert: Int, source: Int, sourceCount: Int)?
        search: for candidate in merges {
            for (sourceIndex, regex) in candidate.sources.enumerated() {
                guard candidate.prefilters[sourceIndex].mayMatch(name), let match = name.firstMatch(of: regex), let digits = match.output[1].substring,
                      let expert = Int(digits) else { continue }
                name.replaceSubrange(match.range, with: candidate.target)
                merge = (expert, sourceIndex, candidate.sources.count)
                break search
            }
        }
        let converted = name != key
        return Target(name: adjustingPrefix(name), merge: merge, converted: converted)
    }

    /// Strips the base model prefix when the stripped name is a slot, else adds it when the
    /// prefixed name is (loading a head checkpoint into a base model and back).
    private func adjustingPrefix(_ name: String) -> String {
        if name.hasPrefix(prefix + "."), hasSlot(String(name.dropFirst(prefix.count + 1))) {
            return String(name.dropFirst(prefix.count + 1))
        }
        let prefixed = prefix + "." + name
        return hasSlot(prefixed) ? prefixed : name
    }

    static func compile(_ pattern: String, _ architecture: String) throws(PretrainedError) -> Regex<AnyRegexOutput> {
        do {
            return try Regex(pattern)
        } catch {
            throw .invalidArchitecture(name: architecture, reason: "invalid conversion pattern '\(pattern)'")
        }
    }

    static func escape(_ literal: String) -> String {
        var escaped = ""
        for character in literal {
            if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

/// Regular expressions searched anywhere in a key (Python's `re.search`), joined as one.
struct KeyPatterns {
    private let regex: Regex<AnyRegexOutput>?
    private let prefilter: RegexPrefilter

    init(_ patterns: [String], architecture: String) throws(PretrainedError) {
        regex = patterns.isEmpty ? nil : try KeyMapper.compile(patterns.map { "(\($0))" }.joined(separator: "|"), architecture)
        prefilter = RegexPrefilter(patterns)
    }

    func matches(_ key: String) -> Bool {
        guard let regex, prefilter.mayMatch(key) else { return false }
        return key.contains(regex)
    }
}
