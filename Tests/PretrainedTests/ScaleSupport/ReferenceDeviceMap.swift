@testable import Pretrained

// The device-map inference and cleaning as they were before issue 18 made them linear: a
// statement-for-statement transcription of `accelerate`, quadratic in the modules. The
// differential test holds the linear version to exactly these results.

extension MetaModel {
    func referenceDeviceMap(maxMemory: MaxMemory, noSplitModules: [String]? = nil,
                            dtype: DType? = nil) throws(PretrainedError) -> DeviceMap {
        let tree = ModuleTree(self)
        let sizes = ModuleSizes(tree, dtype: dtype)
        var inference = ReferenceDeviceMapInference(tree: tree, sizes: sizes, maxMemory: maxMemory,
                                                    noSplit: Set(noSplitModules ?? architecture.noSplitModules))
        var map = try inference.run()
        ReferenceDeviceMapCleaning.clean(&map)
        var bytes: [Device: Int] = [:]
        for entry in map.entries { bytes[entry.device, default: 0] += sizes.bytes(entry.module) }
        return DeviceMap(entries: map.entries, bytes: bytes)
    }
}

/// The placement loop of `infer_auto_device_map`, statement for statement; sizes in bits (see
/// `ModuleSizes`). The names below are `accelerate`'s.
struct ReferenceDeviceMapInference {
    /// A module or a single tensor waiting to be placed.
    enum Item {
        case module(Int)
        case tensor
    }

    typealias Named = (name: String, item: Item)

    let tree: ModuleTree
    let sizes: ModuleSizes
    let noSplit: Set<String>
    let devices: [Device]
    let mainDevices: Set<Device>
    /// Budgets in bits.
    let maxMemory: [Device: Int]
    let tiedParameters: [[String]]

    init(tree: ModuleTree, sizes: ModuleSizes, maxMemory: MaxMemory, noSplit: Set<String>) {
        self.tree = tree
        self.sizes = sizes
        self.noSplit = noSplit
        var devices = maxMemory.devices
        if !devices.contains(.disk) { devices.append(.disk) }
        self.devices = devices
        let accelerators = devices.filter(\.isAccelerator)
        mainDevices = accelerators.first.map { [$0, .cpu] } ?? [.cpu]
        self.maxMemory = maxMemory.budgets.mapValues { $0.multipliedReportingOverflow(by: 8).overflow ? Int.max : $0 * 8 }
        tiedParameters = tree.tiedGroups
    }

    /// `named_parameters(recurse=False)` then `named_children()` of node `n`, names prefixed.
    func parametersAndChildren(_ n: Int) -> [Named] {
        let node = tree.nodes[n]
        return node.parameters.map { (name: tree.tensors[$0].name, item: Item.tensor) }
            + node.children.map { (name: tree.nodes[$0].name, item: Item.module($0)) }
    }

    func children(of item: Item) -> [Int] {
        if case .module(let n) = item { return tree.nodes[n].children }
        return []
    }

    func cannotSplit(_ item: Item) -> Bool {
        guard case .module(let n) = item else { return true }
        return tree.nodes[n].children.isEmpty || noSplit.contains(tree.nodes[n].className)
    }

    /// `get_max_layer_size`: the largest module that will not be split (a leaf or a no-split
    /// class) among `modules`, and the names of those of that size.
    func maxLayerSize(_ modules: [Named]) -> (size: Int, names: [String]) {
        var maxSize = 0
        var names: [String] = []
        var queue = modules[...]
        var pending: [Named] = []
        while true {
            let next: Named
            if let first = pending.first {
                next = first
                pending.removeFirst()
            } else if let first = queue.popFirst() {
                next = first
            } else {
                break
            }
            if cannotSplit(next.item) {
                let size = sizes[next.name]
                if size > maxSize {
                    maxSize = size
                    names = [next.name]
                } else if size == maxSize {
                    names.append(next.name)
                }
            } else {
                pending = children(of: next.item).map { (name: tree.nodes[$0].name, item: Item.module($0)) } + pending
            }
        }
        return (maxSize, names)
    }

    func modulesOnly(_ list: [Named]) -> [Named] {
        list.filter { if case .module = $0.item { return true } else { return false } }
    }

    /// Whether `name + "."` occurs in `parameter + "."` (`accelerate` tests containment, not prefix).
    static func within(_ parameter: String, _ name: String) -> Bool {
        (parameter + ".").contains(name + ".")
    }

    /// `get_module_size_with_ties`.
    func sizeWithTies(_ tiedParams: [String], moduleSize: Int, modulesToTreat: [Named])
        throws(PretrainedError) -> (size: Int, names: [String], items: [Item]) {
        guard !tiedParams.isEmpty else { return (moduleSize, [], []) }
        var names: [String] = []
        var items: [Item] = []
        for parameter in tiedParams {
            guard let holder = modulesToTreat.first(where: { parameter.hasPrefix($0.name + ".") }) else {
                throw .placementFailed(reason: "the tied parameter '\(parameter)' has no module left to place it with")
            }
            names.append(holder.name)
            items.append(holder.item)
        }
        var size = moduleSize
        for (parameter, name) in zip(tiedParams, names) { size += sizes[name] - sizes[parameter] }
        return (size, names, items)
    }

    mutating func run() throws(PretrainedError) -> ReferenceOrderedMap {
        let root = tree.nodes[0]
        var modulesToTreat: [Named] = root.parameters.map { (name: tree.tensors[$0].name, item: Item.tensor) }
            + root.children.map { (name: tree.nodes[$0].name, item: Item.module($0)) }
            + root.buffers.map { (name: tree.tensors[$0].name, item: Item.tensor) }
        var deviceMap = ReferenceOrderedMap()
        var currentDevice = 0
        var deviceMemoryUsed = [Device: Int]()
        var (maxLayerSize, maxLayerNames) = self.maxLayerSize(modulesToTreat)

        while !modulesToTreat.isEmpty {
            let (name, item) = modulesToTreat.removeFirst()
            maxLayerNames.removeAll { $0 == name || $0.hasPrefix(name + ".") }
            if maxLayerNames.isEmpty {
                (maxLayerSize, maxLayerNames) = self.maxLayerSize(modulesOnly(modulesToTreat))
            }
            let moduleSize = sizes[name]
            let tiedGroups = tiedParameters.filter { group in
                group.contains { Self.within($0, name) } && !group.allSatisfy { Self.within($0, name) }
            }
            let tiedParams = tiedGroups.flatMap { group in group.filter { !Self.within($0, name) } }

            guard currentDevice < devices.count else {
                throw .placementFailed(reason: "'\(name)' fits on no device")   // unreachable: disk takes all
            }
            let device = devices[currentDevice]
            var currentMaxSize = device == .disk ? nil : maxMemory[device]
            var currentMemoryReserved = 0
            if mainDevices.contains(device), let budget = currentMaxSize {
                currentMaxSize = budget - maxLayerSize
                currentMemoryReserved = maxLayerSize
            }
            let (moduleSizeWithTies, tiedModuleNames, tiedModules) =
                try sizeWithTies(tiedParams, moduleSize: moduleSize, modulesToTreat: modulesToTreat)
            let used = deviceMemoryUsed[device, default: 0]

            // The module and its tied modules fit on the current device.
            guard let maxSize = currentMaxSize, used + moduleSizeWithTies > maxSize else {
                deviceMemoryUsed[device, default: 0] += moduleSizeWithTies
                deviceMap[name] = device
                for tiedName in tiedModuleNames {
                    if let index = modulesToTreat.firstIndex(where: { $0.name == tiedName }) {
                        modulesToTreat.remove(at: index)
                    }
                    deviceMap[tiedName] = device
                }
                continue
            }

            // The module itself fits: try to split one of its tied modules.
            if !tiedParams.isEmpty, used + moduleSize <= maxSize {
                var splitHappened = false
                for (tiedName, tiedItem) in zip(tiedModuleNames, tiedModules) {
                    guard !cannotSplit(tiedItem), case .module(let n) = tiedItem,
                          let index = modulesToTreat.firstIndex(where: { $0.name == tiedName }) else { continue }
                    modulesToTreat = [(name, item)] + modulesToTreat[..<index] + parametersAndChildren(n)
                        + modulesToTreat[(index + 1)...]
                    (maxLayerSize, maxLayerNames) = self.maxLayerSize(modulesOnly(modulesToTreat))
                    splitHappened = true
                    break
                }
                if splitHappened { continue }
            }

            // The module does not fit: split it, or go to the next device.
            if used + moduleSize >= maxSize, !cannotSplit(item), case .module(let n) = item {
                modulesToTreat = parametersAndChildren(n) + modulesToTreat
                (maxLayerSize, maxLayerNames) = self.maxLayerSize(modulesOnly(modulesToTreat))
                continue
            }

            deviceMemoryUsed[device, default: 0] += currentMemoryReserved
            currentDevice += 1
            modulesToTreat.insert((name, item), at: 0)
        }
        return deviceMap
    }
}

struct ReferenceOrderedMap {
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


enum ReferenceDeviceMapCleaning {
    /// Merges `map` in place, from `module` down (`""`: the whole model).
    ///
    /// As in `accelerate`, a merged entry moves to the end of the map. `accelerate` visits
    /// children in Python's set order, so where several merges happen the order of the moved
    /// entries follows string hashes; here children are visited in the order they first appear,
    /// which is what `accelerate` produced for every reference case.
    static func clean(_ map: inout ReferenceOrderedMap, module: String = "") {
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
