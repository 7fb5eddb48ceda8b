extension MetaModel {
    /// Places the model's modules on devices under memory budgets, as `accelerate` 1.15's
    /// `infer_auto_device_map(model, max_memory, no_split_module_classes, dtype)` does on a meta
    /// model; no weights are needed.
    ///
    /// ```swift
    /// let model = try MetaModel(config: ModelConfig.read(path: "Llama-2-7b-hf/config.json"))
    /// let map = try model.inferDeviceMap(maxMemory: MaxMemory(parsing: "0=4GB,1=4GB,cpu=4GB,disk=100GB"),
    ///                                    dtype: .f16)
    /// map["model.layers.8"]      // .accelerator(1)
    /// map["lm_head"]             // .disk
    /// ```
    ///
    /// Modules are taken in model order and filled into the devices in order (accelerators by
    /// ordinal, then `cpu`, then `disk`, which is always available): a module that does not fit
    /// the current device is split into its direct parameters and children, unless it has no
    /// children or its class is in `noSplitModules`, in which case the next device is tried.
    /// Tied parameters travel together (a module is placed with the modules holding the other
    /// names of its tied parameters, splitting those if needed). The first accelerator and
    /// `cpu` keep room for the largest layer still to be placed, so an offloaded layer can be
    /// brought back. Finally module names are merged to the shortest prefix sharing a device.
    ///
    /// - Parameters:
    ///   - maxMemory: the budget of each device.
    ///   - noSplitModules: class names never split across devices; default the architecture's
    ///     `_no_split_modules`.
    ///   - dtype: the dtype the weights will be loaded in (as `from_pretrained(device_map="auto")`
    ///     passes it); `nil` counts every tensor at its own dtype.
    /// - Returns: the device map with bytes per device.
    /// - Throws: `PretrainedError.placementFailed` where `accelerate` would fail on the model's
    ///   tied parameters.
    /// - Complexity: O(n) in the modules and tensors for a model without tied parameters (each
    ///   tied group adds a scan of the modules left when a module holding one side is placed).
    public func inferDeviceMap(maxMemory: MaxMemory, noSplitModules: [String]? = nil,
                               dtype: DType? = nil) throws(PretrainedError) -> DeviceMap {
        let tree = ModuleTree(self)
        let sizes = ModuleSizes(tree, dtype: dtype)
        var inference = DeviceMapInference(tree: tree, sizes: sizes, maxMemory: maxMemory,
                                           noSplit: Set(noSplitModules ?? architecture.noSplitModules))
        var map = try inference.run()
        DeviceMapCleaning.clean(&map)
        var bytes: [Device: Int] = [:]
        for entry in map.entries { bytes[entry.device, default: 0] += sizes.bytes(entry.module) }
        return DeviceMap(entries: map.entries, bytes: bytes)
    }
}

/// The placement loop of `infer_auto_device_map`, statement for statement; sizes in bits (see
/// `ModuleSizes`). The names below are `accelerate`'s.
struct DeviceMapInference {
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

    /// Whether `name + "."` occurs in `parameter + "."` (`accelerate` tests containment, not prefix).
    static func within(_ parameter: String, _ name: String) -> Bool {
        (parameter + ".").contains(name + ".")
    }

    /// `get_module_size_with_ties`.
    func sizeWithTies(_ tiedParams: [String], moduleSize: Int, modulesToTreat: Queue)
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

    /// `get_max_layer_size`'s answer, kept as the largest size and how many layers have it (the
    /// loop only asks whether any of the names is left).
    struct LargestLayer: Equatable {
        var size = 0
        var count = 0

        func merged(with other: LargestLayer) -> LargestLayer {
            if other.size > size { return other }
            if other.size < size { return self }
            return LargestLayer(size: size, count: count + other.count)
        }
    }

    /// The largest layer (leaf or no-split module) within node `n`, memoized per node.
    func largestLayer(in n: Int, memo: inout [LargestLayer?]) -> LargestLayer {
        if let known = memo[n] { return known }
        let item = Item.module(n)
        var result = LargestLayer()
        if cannotSplit(item) {
            result = LargestLayer(size: sizes[tree.nodes[n].name], count: 1)
        } else {
            for child in tree.nodes[n].children { result = result.merged(with: largestLayer(in: child, memo: &memo)) }
        }
        memo[n] = result
        return result
    }

    /// `modules_to_treat`, taken from the front: stored reversed, so that taking the first item and
    /// putting items back in front cost O(1) each, and each slot holds the largest layer among
    /// the modules from it to the end of the list (`get_max_layer_size(modules_only(...))` in O(1)).
    struct Queue {
        private var storage: [(named: Named, largest: LargestLayer)] = []
        private let layer: (Named) -> LargestLayer

        init(_ items: [Named], layer: @escaping (Named) -> LargestLayer) {
            self.layer = layer
            prepend(items)
        }

        var isEmpty: Bool { storage.isEmpty }
        /// The largest layer among the module items.
        var largest: LargestLayer { storage.last?.largest ?? LargestLayer() }

        mutating func popFirst() -> Named { storage.removeLast().named }

        /// Puts `items` in front, in their order.
        mutating func prepend(_ items: some BidirectionalCollection<Named>) {
            for named in items.reversed() {
                storage.append((named, (storage.last?.largest ?? LargestLayer()).merged(with: layer(named))))
            }
        }

        /// The front position of the first item satisfying `predicate`.
        func firstIndex(where predicate: (Named) -> Bool) -> Int? {
            storage.lastIndex { predicate($0.named) }.map { storage.count - 1 - $0 }
        }

        func first(where predicate: (Named) -> Bool) -> Named? {
            storage.last { predicate($0.named) }?.named
        }

        /// Replaces the item at front position `index` with `items`.
        mutating func replace(at index: Int, with items: [Named]) {
            let slot = storage.count - 1 - index
            let before = storage[(slot + 1)...].reversed().map(\.named)  // the items ahead of it, in order
            storage.removeSubrange(slot...)
            prepend(before + items)
        }
    }

    mutating func run() throws(PretrainedError) -> DeviceMapCleaning.OrderedMap {
        let root = tree.nodes[0]
        let initial: [Named] = root.parameters.map { (name: tree.tensors[$0].name, item: Item.tensor) }
            + root.children.map { (name: tree.nodes[$0].name, item: Item.module($0)) }
            + root.buffers.map { (name: tree.tensors[$0].name, item: Item.tensor) }
        var memo = [LargestLayer?](repeating: nil, count: tree.nodes.count)
        for n in tree.nodes.indices.reversed() { _ = largestLayer(in: n, memo: &memo) }
        let layers = memo.map { $0 ?? LargestLayer() }
        func layer(_ named: Named) -> LargestLayer {
            if case .module(let n) = named.item { return layers[n] }
            return LargestLayer()
        }
        var modulesToTreat = Queue(initial, layer: layer)
        var deviceMap = DeviceMapCleaning.OrderedMap()
        var currentDevice = 0
        var deviceMemoryUsed = [Device: Int]()
        // `max_layer_size, max_layer_names`: the size, how many names are left, and the items whose
        // names have been removed since they were last computed. The first computation, unlike the
        // later ones, also counts the root's own tensors.
        // `get_max_layer_size(modules_to_treat)`: here the root's own tensors count as layers too.
        let first = initial.reduce(LargestLayer()) { largest, named in
            if case .tensor = named.item { return largest.merged(with: LargestLayer(size: sizes[named.name], count: 1)) }
            return largest.merged(with: layer(named))
        }
        var (maxLayerSize, maxLayerNames) = (first.size, first.count)
        var countsTensors = true
        var removed = Set<String>()
        func recompute() {
            let largest = modulesToTreat.largest
            (maxLayerSize, maxLayerNames) = (largest.size, largest.count)
            countsTensors = false
            removed.removeAll(keepingCapacity: true)
        }

        while !modulesToTreat.isEmpty {
            let (name, item) = modulesToTreat.popFirst()
            // `max_layer_names = [n for n in max_layer_names if n != name and not n.startswith(name + ".")]`
            if removed.insert(name).inserted {
                switch item {
                case .module(let n) where layers[n].size == maxLayerSize: maxLayerNames -= layers[n].count
                case .tensor where countsTensors && sizes[name] == maxLayerSize: maxLayerNames -= 1
                default: break
                }
            }
            if maxLayerNames == 0 {
                recompute()
                removed.insert(name)  // computed without it: its names are not among them
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
                        modulesToTreat.replace(at: index, with: [])
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
                    modulesToTreat.replace(at: index, with: parametersAndChildren(n))
                    modulesToTreat.prepend([(name, item)])
                    recompute()
                    splitHappened = true
                    break
                }
                if splitHappened { continue }
            }

            // The module does not fit: split it, or go to the next device.
            if used + moduleSize >= maxSize, !cannotSplit(item), case .module(let n) = item {
                modulesToTreat.prepend(parametersAndChildren(n))
                recompute()
                continue
            }

            deviceMemoryUsed[device, default: 0] += currentMemoryReserved
            currentDevice += 1
            modulesToTreat.prepend([(name, item)])
        }
        return deviceMap
    }
}
