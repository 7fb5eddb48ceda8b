import Pretrained

/// The output of `pretrained plan`: the device map, bytes per device and what was offloaded.
struct PlanReport {
    let model: MetaModel
    let budget: MaxMemory
    let noSplit: [String]
    let map: DeviceMap

    /// The contract's `device_map` and `device_bytes`, extended with the architecture, the dtype,
    /// the no-split classes and the budgets in bytes.
    var json: JSONValue {
        guard case .object(var members) = map.json else { return map.json }
        members += [
            (key: "architecture", value: .string(model.architecture.name)),
            (key: "dtype", value: .string(model.dtype.rawValue)),
            (key: "no_split_modules", value: .array(noSplit.map(JSONValue.string))),
            (key: "max_memory", value: .object(budget.devices.map { (key: $0.description, value: .int(budget[$0] ?? 0)) })),
        ]
        return .object(members)
    }

    /// The map as a table, then each device's bytes against its budget, then the offloaded part.
    var text: String {
        let sizes = model.moduleSizes(dtype: model.dtype)
        var lines = ["\(model.architecture.name) at \(model.dtype.rawValue), never splitting "
            + (noSplit.isEmpty ? "(nothing)" : noSplit.joined(separator: ", ")), ""]
        let rows = map.entries.map { entry in
            [entry.module.isEmpty ? "(whole model)" : entry.module, entry.device.description,
             ByteCount.format(sizes[entry.module] ?? 0), note(entry.module)]
        }
        lines.append(TextTable.render(header: ["module", "device", "size", ""], rows: rows, rightAligned: [2]))
        lines.append("")
        let deviceRows = map.devices.map { device in
            let used = map.bytes[device] ?? 0
            let limit = budget[device].map { limit in
                "of " + Grouped.format(limit) + (limit > 0 ? " (\(100 * used / limit)%)" : "")
            } ?? "(no budget: accelerate always adds disk)"
            return [device.description, Grouped.format(used), ByteCount.format(used), limit]
        }
        lines.append(TextTable.render(header: ["device", "bytes", "size", "budget"], rows: deviceRows, rightAligned: [1, 2]))
        lines.append("")
        let offloaded = [Device.cpu, .disk].filter { device in map.entries.contains { $0.device == device } }
        if offloaded.isEmpty || map.devices.allSatisfy({ !$0.isAccelerator }) && offloaded == [.cpu] {
            lines.append(offloaded.isEmpty ? "offloaded: nothing, the model fits on the accelerators"
                                           : "offloaded: nothing to disk, the model fits in cpu memory")
        } else {
            lines.append("offloaded:")
            for device in offloaded {
                let entries = map.entries(on: device)
                lines.append("  to \(device): \(entries.count) module\(entries.count == 1 ? "" : "s"), "
                    + "\(ByteCount.format(map.bytes[device] ?? 0)): "
                    + entries.map { $0.module.isEmpty ? "(whole model)" : $0.module }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Why an entry's size leaves out tied parameters it holds: they are counted where they are
    /// first named.
    func note(_ module: String) -> String {
        let sources = model.tiedWeights.filter { module.isEmpty || $0.target == module || $0.target.hasPrefix(module + ".") }
            .map(\.source).filter { !(module.isEmpty || $0 == module || $0.hasPrefix(module + ".")) }
        return sources.isEmpty ? "" : "shares " + sources.joined(separator: ", ")
    }
}
