/// A `MetaModel`'s module tree flattened the way PyTorch walks it: every module in
/// `named_modules()` order, every tensor (parameters, persistent and non-persistent buffers) with
/// its full name and dtype, and which parameters share one storage (tied ones).
///
/// The walks `accelerate` and `num_parameters()` do are expressed over this: `named_parameters()`
/// skips a parameter whose storage it has already yielded, so a tied parameter counts once, under
/// its first name in model order.
struct ModuleTree: Sendable {
    /// One parameter or buffer.
    struct TensorInfo: Sendable {
        /// Full dotted name (`model.rotary_emb.inv_freq`).
        var name: String
        var shape: [Int]
        var dtype: DType
        var isParameter: Bool
        /// For a parameter, the index of the first parameter (in model order) sharing its storage:
        /// itself unless it is tied to an earlier one. For a buffer, itself.
        var storage: Int

        var elementCount: Int { shape.reduce(1, *) }
    }

    /// One module.
    struct Node: Sendable {
        /// Full dotted name; `""` for the root.
        var name: String
        var className: String
        /// Own parameters, as `named_parameters(recurse=False)` yields them (indices into `tensors`).
        var parameters: [Int]
        /// Own buffers, persistent or not (indices into `tensors`).
        var buffers: [Int]
        /// Children in registration order (indices into `nodes`).
        var children: [Int]
        /// The child's attribute name for each of `children`.
        var childNames: [String]
    }

    /// Every module, in `named_modules()` order; `nodes[0]` is the root.
    private(set) var nodes: [Node] = []
    /// Every tensor, in module order, each module's own tensors in registration order.
    private(set) var tensors: [TensorInfo] = []

    /// Flattens `model`'s tree, resolving tied storage from `model.tiedWeights`.
    init(_ model: MetaModel) {
        let keepInFP32 = model.keepInFP32Fragments
        add(model.root, name: "", modelDType: model.dtype, keepInFP32: keepInFP32)
        resolveStorage(model.tiedWeights)
    }

    @discardableResult
    private mutating func add(_ module: Module, name: String, modelDType: DType, keepInFP32: [String]) -> Int {
        let index = nodes.count
        nodes.append(Node(name: name, className: module.className, parameters: [], buffers: [], children: [],
                          childNames: []))
        let prefix = name.isEmpty ? "" : name + "."
        for entry in module.entries {
            let full = prefix + entry.name
            let dtype = MetaModel.dtype(of: entry, named: full, modelDType: modelDType, keepInFP32: keepInFP32)
            let isParameter = entry.kind == .parameter
            tensors.append(TensorInfo(name: full, shape: entry.shape, dtype: dtype, isParameter: isParameter,
                                      storage: tensors.count))
            if isParameter {
                nodes[index].parameters.append(tensors.count - 1)
            } else {
                nodes[index].buffers.append(tensors.count - 1)
            }
        }
        for child in module.children {
            let childIndex = add(child.module, name: prefix + child.name, modelDType: modelDType, keepInFP32: keepInFP32)
            nodes[index].children.append(childIndex)
            nodes[index].childNames.append(child.name)
        }
        return index
    }

    /// Groups parameters connected by tied pairs and points each at the group's first member.
    private mutating func resolveStorage(_ tied: [TiedPair]) {
        var parameterIndex: [String: Int] = [:]
        for (i, tensor) in tensors.enumerated() where tensor.isParameter { parameterIndex[tensor.name] = i }
        var parent = Array(tensors.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        for pair in tied {
            guard let a = parameterIndex[pair.target], let b = parameterIndex[pair.source] else { continue }
            let (ra, rb) = (root(a), root(b))
            // The smaller index, earlier in model order, represents the group.
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        for i in tensors.indices { tensors[i].storage = root(i) }
        // A module lists a parameter once even under two local names, as named_parameters(recurse=False).
        for n in nodes.indices {
            var seen = Set<Int>()
            nodes[n].parameters = nodes[n].parameters.filter { seen.insert(tensors[$0].storage).inserted }
        }
    }

    /// Whether tensor `i` is a parameter that shares the storage of an earlier one (and so is
    /// skipped by `named_parameters()`).
    func isDuplicate(_ i: Int) -> Bool { tensors[i].isParameter && tensors[i].storage != i }

    /// Tied parameter groups as `accelerate`'s `find_tied_parameters`: each group's names sorted,
    /// groups in the model order of their first member (`accelerate` orders them by Python's set
    /// iteration, which only matters for a module tied to two groups at once).
    var tiedGroups: [[String]] {
        var members: [Int: [String]] = [:]
        var order: [Int] = []
        for tensor in tensors where tensor.isParameter {
            if members[tensor.storage] == nil { order.append(tensor.storage) }
            members[tensor.storage, default: []].append(tensor.name)
        }
        return order.compactMap { key in
            guard let names = members[key], names.count > 1 else { return nil }
            return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
    }

    /// Every tensor index in the subtree of node `n` (its own, then its children's, recursively).
    func subtreeTensors(_ n: Int) -> [Int] {
        var result = nodes[n].parameters + nodes[n].buffers
        for child in nodes[n].children { result += subtreeTensors(child) }
        return result
    }
}
