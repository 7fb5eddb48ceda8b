import Pretrained

// The library's values as the CLI contract (CONTRACT.md) prints them: the CLI owns every JSON
// document it prints.

extension LoadReport {
    /// The report as the CLI contract prints it (with `converted`, `untied`,
    /// `tied_both_missing`, `initialized`, `warnings` and, for a generic load, `structure` as
    /// extensions).
    var json: JSONValue {
        .object([
            (key: "missing", value: .array(missing.map(JSONValue.string))),
            (key: "unexpected", value: .array(unexpected.map(JSONValue.string))),
            (key: "mismatched", value: .array(mismatched.map {
                .object([(key: "name", value: .string($0.name)),
                         (key: "checkpoint_shape", value: .array($0.checkpointShape.map(JSONValue.int))),
                         (key: "model_shape", value: .array($0.modelShape.map(JSONValue.int)))])
            })),
            (key: "tied_from_checkpoint", value: .array(tiedFromCheckpoint.map {
                .object([(key: "filled", value: .string($0.filled)), (key: "from", value: .string($0.from))])
            })),
            (key: "ignored", value: .array(ignored.map(JSONValue.string))),
            (key: "converted", value: .array(converted.map {
                .object([(key: "name", value: .string($0.name)), (key: "from", value: .array($0.from.map(JSONValue.string)))])
            })),
            (key: "untied", value: .array(untied.map {
                .object([(key: "target", value: .string($0.target)), (key: "source", value: .string($0.source))])
            })),
            (key: "tied_both_missing", value: .array(tiedBothMissing.map {
                .object([(key: "target", value: .string($0.target)), (key: "source", value: .string($0.source))])
            })),
            (key: "initialized", value: .array(initialized.map(JSONValue.string))),
            (key: "warnings", value: .array(warnings.map(JSONValue.string))),
        ] + (structureFromCheckpoint ? [(key: "structure", value: .string("checkpoint"))] : []))
    }
}

extension ParallelPlans {
    /// The plans as the CLI contract prints them.
    var json: JSONValue {
        .object([
            (key: "tp", value: .object(tp.map { (key: $0.pattern, value: .string($0.strategy)) })),
            (key: "pp", value: .object(pp.map {
                (key: $0.pattern, value: .array([.array($0.inputs.map(JSONValue.string)), .array($0.outputs.map(JSONValue.string))]))
            })),
            (key: "ep", value: .object(ep.map { (key: $0.pattern, value: .string($0.strategy)) })),
        ])
    }
}

extension Device {
    /// The device as `accelerate`'s device maps hold it: an integer for an accelerator, else a string.
    var json: JSONValue {
        switch self {
        case .accelerator(let ordinal): return .int(ordinal)
        case .cpu, .disk: return .string(description)
        }
    }
}

extension DeviceMap {
    /// The map and per-device bytes as the `pretrained plan --json` contract prints them.
    var json: JSONValue {
        .object([
            (key: "device_map", value: .object(entries.map { (key: $0.module, value: $0.device.json) })),
            (key: "device_bytes", value: .object(devices.map { (key: $0.description, value: .int(bytes[$0] ?? 0)) })),
        ])
    }
}
