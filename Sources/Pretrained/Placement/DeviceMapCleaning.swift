/// `accelerate`'s `clean_device_map`: entries of a module whose children all landed on one device
/// are replaced by one entry for the module.
enum DeviceMapCleaning {
    /// An insertion-ordered map with Python `dict` semantics: assigning an existing key keeps its
    /// position, a new key goes to the end.
    struct OrderedMap {
        private(set) var entries: [DeviceMap.Entry] = []

        subscript(key: String) -> Device? {
            get { entries.first { $0.module == key }?.device }
            set {
                if let i = entries.firstIndex(where: { $0.module == key }) {
                    if let newValue { entries[i].device = newValue } else { entries.remove(at: i) }
                } else if let newValue {
                    entries.append(DeviceMap.Entry(module: key, device: newValue))
                }
            }
        }

        mutating func removeAll(where predicate: (DeviceMap.Entry) -> Bool) {
            entries.removeAll(where: predicate)
        }
    }

    /// Merges `map` in place, from `module` down (`""`: the whole model).
    ///
    /// As in `accelerate`, a merged entry moves to the end of the map. `accelerate` visits
    /// children in Python's set order, so where several merges happen the order of the moved
    /// entries follows string hashes; here children are visited in the order they first appear,
    /// which is what `accelerate` produced for every reference case.
    static func clean(_ map: inout OrderedMap, module: String = "") {
        let prefix = module.isEmpty ? "" : module + "."
        let values = map.entries.filter { $0.module.hasPrefix(prefix) }.map(\.device)
        if values.count > 1, let first = values.first, values.allSatisfy({ $0 == first }) {
            map.removeAll { $0.module.hasPrefix(prefix) }
            map[module] = first
        }
        let depth = module.isEmpty ? 1 : module.split(separator: ".", omittingEmptySubsequences: false).count + 1
        var children: [String] = []
        var seen = Set<String>()
        for entry in map.entries where entry.module.hasPrefix(prefix) && entry.module.count > module.count {
            let child = entry.module.split(separator: ".", omittingEmptySubsequences: false).prefix(depth)
                .joined(separator: ".")
            if seen.insert(child).inserted { children.append(child) }
        }
        for child in children { clean(&map, module: child) }
    }
}
