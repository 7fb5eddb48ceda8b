/// `accelerate`'s `clean_device_map`: entries of a module whose children all landed on one device
/// are replaced by one entry for the module.
enum DeviceMapCleaning {
    /// An insertion-ordered map with Python `dict` semantics: assigning an existing key keeps its
    /// position, a new key goes to the end.
    struct OrderedMap {
        private(set) var entries: [DeviceMap.Entry] = []
        /// The position of each key in `entries`.
        private var positions: [String: Int] = [:]

        subscript(key: String) -> Device? {
            get { positions[key].map { entries[$0].device } }
            set {
                if let i = positions[key] {
                    if let newValue {
                        entries[i].device = newValue
                    } else {
                        entries.remove(at: i)
                        reindex()
                    }
                } else if let newValue {
                    positions[key] = entries.count
                    entries.append(DeviceMap.Entry(module: key, device: newValue))
                }
            }
        }

        /// The position of `key` in `entries`.
        func position(of key: String) -> Int? { positions[key] }

        mutating func removeAll(where predicate: (DeviceMap.Entry) -> Bool) {
            entries.removeAll(where: predicate)
            reindex()
        }

        private mutating func reindex() {
            positions = Dictionary(entries.enumerated().map { ($1.module, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Merges `map` in place, from the whole model down.
    ///
    /// As in `accelerate`, a merged entry moves to the end of the map. `accelerate` visits
    /// children in Python's set order, so where several merges happen the order of the moved
    /// entries follows string hashes; here children are visited in the order they first appear,
    /// which is what `accelerate` produced for every reference case.
    ///
    /// - Complexity: O(n × d) for n entries of d name components: the entries are grouped into a
    ///   tree of name prefixes once (`accelerate` filters the whole map at every module, which
    ///   is quadratic).
    static func clean(_ map: inout OrderedMap) {
        struct Node {
            var name: String
            var children: [Int] = []
            /// The entries below the node (all entries for the whole model).
            var below: [Int] = []
            var device: Device?
            var uniform = true
        }
        let entries = map.entries
        var nodes = [Node(name: "")]
        var index: [String: Int] = [:]
        for (i, entry) in entries.enumerated() {
            nodes[0].below.append(i)
            let components = entry.module.isEmpty ? [] : entry.module.split(separator: ".", omittingEmptySubsequences: false)
            var parent = 0
            var prefix = ""
            for (depth, component) in components.enumerated() {
                prefix += (depth == 0 ? "" : ".") + component
                let node: Int
                if let known = index[prefix] {
                    node = known
                } else {
                    node = nodes.count
                    nodes.append(Node(name: prefix))
                    index[prefix] = node
                    nodes[parent].children.append(node)
                }
                if depth < components.count - 1 { nodes[node].below.append(i) }
                parent = node
            }
        }
        for n in nodes.indices {
            let devices = nodes[n].below.map { entries[$0].device }
            nodes[n].device = devices.first
            nodes[n].uniform = devices.allSatisfy { $0 == devices.first }
        }
        var removed = [Bool](repeating: false, count: entries.count)
        var updated: [Int: Device] = [:]
        var appended: [DeviceMap.Entry] = []
        var stack = [0]
        while let n = stack.popLast() {
            let node = nodes[n]
            if node.below.count > 1, node.uniform, let device = node.device {
                for i in node.below { removed[i] = true }
                if let i = map.position(of: node.name), !removed[i] {
                    updated[i] = device
                } else {
                    appended.append(DeviceMap.Entry(module: node.name, device: device))
                }
                continue
            }
            stack += node.children.reversed()
        }
        var result = OrderedMap()
        for (i, entry) in entries.enumerated() where !removed[i] { result[entry.module] = updated[i] ?? entry.device }
        for entry in appended { result[entry.module] = entry.device }
        map = result
    }
}
