import Pretrained

/// The output of `pretrained inspect --model`: a skeleton's modules, counts, bytes, ties and plans.
enum InspectModelReport {
    /// The contract's JSON (`architecture`, `parameter_count`, `parameter_bytes`, `tied`, `plans`,
    /// `no_split_modules`, `modules`), extended with `dtype` and `tying_savings`.
    static func json(_ model: MetaModel) -> JSONValue {
        let modules: [JSONValue] = model.modules.map { module in
            .object([
                (key: "name", value: .string(module.name)),
                (key: "class", value: .string(module.className)),
                (key: "parameters", value: .int(module.parameters)),
                (key: "bytes", value: .int(module.bytes)),
            ])
        }
        let savings = model.tyingSavings
        return .object([
            (key: "architecture", value: .string(model.architecture.name)),
            (key: "parameter_count", value: .int(model.parameterCount)),
            (key: "parameter_bytes", value: .int(model.parameterBytes)),
            (key: "tied", value: .object(model.tiedWeights.map { (key: $0.target, value: .string($0.source)) })),
            (key: "plans", value: model.plans.json),
            (key: "no_split_modules", value: .array(model.architecture.noSplitModules.map(JSONValue.string))),
            (key: "modules", value: .array(modules)),
            (key: "dtype", value: .string(model.dtype.rawValue)),
            (key: "tying_savings", value: .object([(key: "parameters", value: .int(savings.parameters)),
                                                   (key: "bytes", value: .int(savings.bytes))])),
        ])
    }

    /// A readable report: totals, the module tree (runs of identical siblings folded), buffers
    /// outside the state dict, tied pairs with what tying saves, and the parallel plans.
    static func text(_ model: MetaModel) -> String {
        var lines = ["\(model.architecture.name) at \(model.dtype.rawValue): "
            + "\(Grouped.format(model.parameterCount)) parameters, "
            + "\(ByteCount.format(model.parameterBytes)) (\(Grouped.format(model.parameterBytes)) bytes)"]
        let noSplit = model.architecture.noSplitModules
        lines.append("never split across devices: " + (noSplit.isEmpty ? "(none)" : noSplit.joined(separator: ", ")))
        lines += ["", ModuleTreeTable.render(model.modules)]
        let buffers = model.nonPersistentBuffers
        if !buffers.isEmpty {
            lines += ["", "buffers outside the state dict (not loaded, but held in memory):"]
            lines += buffers.map { "  \($0.name) \($0.dtype.rawValue) \($0.shape) (\(ByteCount.format($0.byteCount)))" }
        }
        lines.append("")
        if model.tiedWeights.isEmpty {
            lines.append("tied: none")
        } else {
            lines.append("tied:")
            lines += model.tiedWeights.map { "  \($0.target) -> \($0.source)" }
            let savings = model.tyingSavings
            lines.append("tying saves \(Grouped.format(savings.parameters)) parameters, \(ByteCount.format(savings.bytes)) "
                + "(\(Grouped.format(savings.bytes)) bytes): untied the model would have "
                + "\(Grouped.format(model.parameterCount + savings.parameters)) parameters")
        }
        lines.append(contentsOf: planLines(model.plans))
        return lines.joined(separator: "\n")
    }

    static func planLines(_ plans: ParallelPlans) -> [String] {
        guard !plans.isEmpty else { return ["", "plans: none"] }
        var lines = ["", "plans:"]
        lines += plans.tp.map { "  tp \($0.pattern): \($0.strategy)" }
        lines += plans.pp.map {
            "  pp \($0.pattern): \($0.inputs.joined(separator: ", ")) -> \($0.outputs.joined(separator: ", "))"
        }
        lines += plans.ep.map { "  ep \($0.pattern): \($0.strategy)" }
        return lines
    }
}

/// The module list as an indented tree table. Where three or more consecutive siblings have the
/// same class and sizes (the layers of a stack), the first is shown with its subtree and the
/// others on one line.
enum ModuleTreeTable {
    static func render(_ modules: [ModuleSize]) -> String {
        var childrenOf: [String: [Int]] = [:]
        for (i, module) in modules.enumerated() {
            childrenOf[parent(of: module.name), default: []].append(i)
        }
        var rows: [[String]] = []
        func visit(_ indices: [Int], depth: Int) {
            var k = 0
            while k < indices.count {
                let first = modules[indices[k]]
                var run = k + 1
                while run < indices.count, same(modules[indices[run]], first) { run += 1 }
                let indent = String(repeating: "  ", count: depth)
                rows.append([indent + leaf(first.name), first.className, Grouped.format(first.parameters),
                             ByteCount.format(first.bytes)])
                visit(childrenOf[first.name] ?? [], depth: depth + 1)
                if run - k >= 3 {
                    let rest = indices[(k + 1)..<run].map { modules[$0] }
                    rows.append([indent + "\(leaf(rest[0].name)) ... \(leaf(rest[rest.count - 1].name))",
                                 "\(rest.count) x \(first.className)", "each " + Grouped.format(first.parameters),
                                 "each " + ByteCount.format(first.bytes)])
                    k = run
                } else {
                    k += 1
                }
            }
        }
        visit(childrenOf[""] ?? [], depth: 0)
        return TextTable.render(header: ["module", "class", "parameters", "size"], rows: rows, rightAligned: [2, 3])
    }

    static func parent(of name: String) -> String {
        name.lastIndex(of: ".").map { String(name[..<$0]) } ?? ""
    }

    static func leaf(_ name: String) -> String {
        name.lastIndex(of: ".").map { String(name[name.index(after: $0)...]) } ?? name
    }

    static func same(_ a: ModuleSize, _ b: ModuleSize) -> Bool {
        a.className == b.className && a.parameters == b.parameters && a.bytes == b.bytes
    }
}
