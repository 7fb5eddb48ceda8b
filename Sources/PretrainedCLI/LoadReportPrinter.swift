import Pretrained

/// The output of `pretrained load`.
enum LoadReportPrinter {
    /// The contract's JSON: parameters in model order, tied map, report, plans, totals, time.
    static func json(_ model: PretrainedModel, checksums: [String]?) -> JSONValue {
        let storages = model.storageNames()
        let parameters: [JSONValue] = model.parameters.enumerated().map { i, tensor in
            var members: [(key: String, value: JSONValue)] = [
                (key: "name", value: .string(tensor.name)),
                (key: "dtype", value: .string(tensor.dtype.rawValue)),
                (key: "shape", value: .array(tensor.shape.map(JSONValue.int))),
                (key: "storage", value: .string(storages[i])),
            ]
            if let checksums { members.append((key: "sha256", value: .string(checksums[i]))) }
            if let slice = model.tensorParallel?.slices[tensor.name] { members.append((key: "slice", value: slice.json)) }
            return .object(members)
        }
        return .object([
            (key: "architecture", value: .string(model.architecture)),
        ] + (model.tensorParallel.map { [(key: "tp", value: $0.json)] } ?? []) + [
            (key: "parameters", value: .array(parameters)),
            (key: "tied", value: .object(model.tiedWeights.map { (key: $0.target, value: .string($0.source)) })),
            (key: "report", value: model.report.json),
            (key: "plans", value: model.plans.json),
            (key: "total_bytes", value: .int(model.totalBytes)),
            (key: "seconds", value: .double(model.seconds)),
        ])
    }

    /// A readable summary: parameters, tied pairs, then each non-empty report section.
    static func table(_ model: PretrainedModel, checksums: [String]?) -> String {
        let storages = model.storageNames()
        let rows = model.parameters.enumerated().map { i, tensor in
            let storage = storages[i]
            return [tensor.name, tensor.dtype.rawValue, "[" + tensor.shape.map(String.init).joined(separator: ", ") + "]",
                    ByteCount.format(tensor.byteCount), storage == tensor.name ? (tensor.storage.isMapped ? "view" : "owned") : "= \(storage)"]
                + (checksums.map { [String($0[i].prefix(16))] } ?? [])
        }
        let header = ["parameter", "dtype", "shape", "size", "storage"] + (checksums == nil ? [] : ["sha256"])
        var lines = [TerminalText.escaped(model.architecture) + ": \(counted(model.parameters.count, "tensor")), \(ByteCount.format(model.totalBytes)) "
            + "in \(format3(model.seconds)) s", "",
            TextTable.render(header: header, rows: rows, rightAligned: [3])]
        if !model.tiedWeights.isEmpty {
            lines += ["", "tied:"] + model.tiedWeights.map { "  " + TerminalText.escaped("\($0.target) -> \($0.source)") }
        }
        let report = model.report
        func section(_ title: String, _ items: [String]) {
            if !items.isEmpty { lines += ["", "\(title):"] + items.map { "  " + TerminalText.escaped($0) } }
        }
        section("missing (zero-filled)", report.missing)
        section("unexpected", report.unexpected)
        section("ignored", report.ignored)
        section("mismatched", report.mismatched.map { "\($0.name): checkpoint \($0.checkpointShape), model \($0.modelShape)" })
        section("tied from checkpoint", report.tiedFromCheckpoint.map { "\($0.filled) <- \($0.from)" })
        section("converted", report.converted.map { "\($0.name) <- \($0.from.joined(separator: ", "))" })
        section("left untied (checkpoint sides differ)", report.untied.map { "\($0.target) / \($0.source)" })
        section("tied pairs with neither side in the checkpoint", report.tiedBothMissing.map { "\($0.target) / \($0.source)" })
        if report.structureFromCheckpoint {
            lines += ["", "structure: the checkpoint's own tensors (no registered architecture; nothing can be known missing)"]
        }
        if report == LoadReport() { lines += ["", "report: every key matched"] }
        return lines.joined(separator: "\n")
    }

    static func format3(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
