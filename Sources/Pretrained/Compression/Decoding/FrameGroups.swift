/// Consecutive frames split into groups of about equal decoded size, so that threads taking
/// groups in turn share the work evenly and each keeps one decoder for a group's frames.
struct FrameGroups {
    private var bounds: [Int] = [0]

    /// Groups `sizes` (decoded bytes per frame, in order) into at most `count` groups.
    init(_ sizes: [Int], count: Int) {
        let total = sizes.reduce(0, +)
        let target = max(1, total / max(1, count))
        var accumulated = 0
        for (index, size) in sizes.enumerated() {
            accumulated += size
            if accumulated >= target && index + 1 < sizes.count {
                bounds.append(index + 1)
                accumulated = 0
            }
        }
        if sizes.count > 0 { bounds.append(sizes.count) }
    }

    /// The number of groups.
    var count: Int { bounds.count - 1 }

    /// The frame indices (into the sizes given) of group `group`.
    subscript(group: Int) -> Range<Int> { bounds[group]..<bounds[group + 1] }
}
