/// Maps checkpoint keys to slot names with `transformers` 5's rules: renames (legacy and the
/// architecture's), expert merging or chunking, then adding or stripping the base model prefix.
struct KeyMapper {
    /// Where a checkpoint key lands.
    struct Target {
        /// The slot name.
        var name: String
        /// For a merged key: which block of the slot it fills, of how many per expert.
        var merge: (expert: Int, source: Int, sourceCount: Int)?
        /// Whether the key was renamed or merged on the way.
        var converted: Bool
        /// For a chunked key: which of how many equal dimension-0 chunks lands in this slot.
        var split: (index: Int, count: Int)? = nil
    }

    private struct Rename {
        var regex: Regex<AnyRegexOutput>
        var replacement: String
    }

    private struct Merge {
        var sources: [Regex<AnyRegexOutput>]
        var target: String
    }

    private struct Split {
        var source: Regex<AnyRegexOutput>
        var targets: [String]
    }

    private let renames: [Rename]
    private let merges: [Merge]
    private let splits: [Split]
    private let prefix: String
    private let hasSlot: (String) -> Bool

    /// A mapper for `architecture`, whose slots `hasSlot` recognises.
    init(architecture: any Architecture, hasSlot: @escaping (String) -> Bool) throws(PretrainedError) {
        var renames: [Rename] = []
        var merges: [Merge] = []
        var splits: [Split] = []
        for conversion in WeightConversion.legacy + architecture.conversions {
            switch conversion {
            case let .rename(pattern, replacement):
                renames.append(Rename(regex: try Self.compile(pattern, architecture.name), replacement: replacement))
            case let .mergeExperts(sources, target):
                var compiled: [Regex<AnyRegexOutput>] = []
                for source in sources {
                    let pieces = source.split(separator: "*", omittingEmptySubsequences: false).map { Self.escape(String($0)) }
                    compiled.append(try Self.compile(pieces.joined(separator: #"(\d+)"#), architecture.name))
                }
                merges.append(Merge(sources: compiled, target: target))
            case let .split(source, targets):
                splits.append(Split(source: try Self.compile(Self.escape(source), architecture.name), targets: targets))
            }
        }
        self.renames = renames
        self.merges = merges
        self.splits = splits
        self.prefix = architecture.baseModelPrefix
        self.hasSlot = hasSlot
    }

    /// Where `key` lands (slot names that may not exist; the caller checks): one target, or one
    /// per chunk for a key a `.split` conversion cuts.
    func targets(of key: String) -> [Target] {
        let name = renamed(key)
        for split in splits {
            guard let match = name.firstMatch(of: split.source) else { continue }
            return split.targets.enumerated().map { index, replacement in
                var chunk = name
                chunk.replaceSubrange(match.range, with: replacement)
                return Target(name: adjustingPrefix(chunk), merge: nil, converted: true, split: (index, split.targets.count))
            }
        }
        return [merged(name, key: key)]
    }

    /// `key` after the renames, in order.
    private func renamed(_ key: String) -> String {
        var name = key
        for rename in renames where name.contains(rename.regex) {
            name = name.replacing(rename.regex, with: rename.replacement)
        }
        return name
    }

    /// The target of the renamed `name` of `key`, after expert merging and the prefix rule.
    private func merged(_ renamed: String, key: String) -> Target {
        var name = renamed
        var merge: (expert: Int, source: Int, sourceCount: Int)?
        search: for candidate in merges {
            for (sourceIndex, regex) in candidate.sources.enumerated() {
                guard let match = name.firstMatch(of: regex), let digits = match.output[1].substring,
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

    init(_ patterns: [String], architecture: String) throws(PretrainedError) {
        regex = patterns.isEmpty ? nil : try KeyMapper.compile(patterns.map { "(\($0))" }.joined(separator: "|"), architecture)
    }

    func matches(_ key: String) -> Bool {
        guard let regex else { return false }
        return key.contains(regex)
    }
}
