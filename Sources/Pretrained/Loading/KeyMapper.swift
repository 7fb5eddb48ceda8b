/// Maps checkpoint keys to slot names with `transformers` 5's rules: renames (the user's key
/// mapping, the architecture's, then the legacy ones, each as a `WeightRenaming`), expert merging
/// or chunking, then adding or stripping the base model prefix.
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
        /// Whether the replacement refers to the pattern's first group (`\1`).
        var usesGroup: Bool
        /// A literal every match contains: names without it skip the search.
        var prefilter: RegexPrefilter
    }

    private struct Merge {
        var sources: [Regex<AnyRegexOutput>]
        var target: String
        var prefilters: [RegexPrefilter]
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

    /// A mapper for `architecture`, whose slots `hasSlot` recognises, after the user's `keyMapping`.
    ///
    /// - Throws: `PretrainedError.invalidKeyMapping` for a user pattern that is not a valid regular
    ///   expression (or whose replacement names a group it does not have).
    init(architecture: any Architecture, keyMapping: [(pattern: String, replacement: String)] = [],
         hasSlot: @escaping (String) -> Bool) throws(PretrainedError) {
        var renames: [Rename] = []
        var merges: [Merge] = []
        var splits: [Split] = []
        for (pattern, replacement) in keyMapping {
            renames.append(try Self.renaming(pattern, replacement) { reason throws(PretrainedError) in
                throw .invalidKeyMapping(pattern: pattern, reason: reason)
            })
        }
        for conversion in architecture.conversions + WeightConversion.legacy {
            switch conversion {
            case let .rename(pattern, replacement):
                renames.append(try Self.renaming(pattern, replacement) { reason throws(PretrainedError) in
                    throw .invalidArchitecture(name: architecture.name, reason: "conversion pattern '\(pattern)': \(reason)")
                })
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

    /// `key` after the renames, in order (the name a generic load gives a stored tensor).
    func renamed(_ key: String) -> String {
        var name = key
        for rename in renames {
            guard rename.prefilter.mayMatch(name), let match = name.firstMatch(of: rename.regex) else { continue }
            var replacement = rename.replacement
            if rename.usesGroup {
                let group = match.output.count > 1 ? match.output[1].substring.map(String.init) ?? "" : ""
                replacement = replacement.replacingFirst(#"\1"#, with: group)
            }
            // As `str.replace(match, replacement, 1)`: the first occurrence of the matched text.
            name = name.replacingFirst(String(name[match.range]), with: replacement)
        }
        return name
    }

    /// The target of the renamed `name` of `key`, after expert merging and the prefix rule.
    private func merged(_ renamed: String, key: String) -> Target {
        var name = renamed
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

    /// A `WeightRenaming` as `transformers` 5.23 builds it: in the pattern `*.` becomes `.*\.` and a
    /// final letter or digit gains `(?!\w)`; in the replacement a leading `^` and look-around
    /// groups are dropped, a capturing group becomes `\1`, and `\.` becomes `.`.
    private static func renaming(_ pattern: String, _ replacement: String,
                                 fail: (String) throws(PretrainedError) -> Never) throws(PretrainedError) -> Rename {
        var source = pattern.replacing("*.", with: #".*\."#)
        if let last = source.last, last.isASCII, last.isLetter || last.isNumber {
            source += #"(?!\w)"#
        }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(source)
        } catch {
            try fail("not a valid regular expression (\(error))")
        }
        var target = replacement.hasPrefix("^") ? String(replacement.dropFirst()) : replacement
        target = target.replacing(#/\(\?.+?\)?\)/#, with: "")
        if let group = target.firstMatch(of: #/\(.+?\)/#) {
            target = target.replacingFirst(String(target[group.range]), with: #"\1"#)
        }
        target = target.replacing(#"\."#, with: ".")
        let usesGroup = target.contains(#"\1"#)
        if usesGroup, capturingGroups(in: source) < 1 {
            try fail("the replacement refers to \\1 but the pattern has no group")
        }
        return Rename(regex: regex, replacement: target, usesGroup: usesGroup, prefilter: RegexPrefilter([source]))
    }

    /// The number of capturing groups in a regular expression: `(` not escaped, not in a
    /// character class, and not a non-capturing or look-around group (`(?:`, `(?=`, ...); named
    /// groups (`(?<name>`, `(?P<name>`) capture.
    static func capturingGroups(in pattern: String) -> Int {
        var count = 0
        var inClass = false
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "\\": _ = characters.popFirst()
            case "[": inClass = true
            case "]": inClass = false
            case "(" where !inClass:
                guard characters.first == "?" else { count += 1; continue }
                let rest = characters.dropFirst()
                if rest.first == "P" || (rest.first == "<" && rest.dropFirst().first != "=" && rest.dropFirst().first != "!") {
                    count += 1
                }
            default: break
            }
        }
        return count
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

extension String {
    /// The string with the first occurrence of `target` replaced (Python's `str.replace(a, b, 1)`).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, let range = firstRange(of: target) else { return target.isEmpty ? replacement + self : self }
        var result = self
        result.replaceSubrange(range, with: replacement)
        return result
    }
}
