import Pretrained

/// Readers for the `expected.json` files that `scripts/make_fixtures.py` writes.
enum Expected {
    /// `(target, source)` pairs of a `tied` object, in order.
    static func tied(_ json: JSONValue?) -> [String] {
        (json?.objectValue ?? []).map { "\($0.key) -> \($0.value.stringValue ?? "?")" }
    }

    /// The tp/pp/ep plans of a `plans` object (fsdp, which the contract does not carry, dropped).
    static func plans(_ json: JSONValue?) -> JSONValue {
        .object(["tp", "pp", "ep"].map { (key: $0, value: json?[$0] ?? .object([])) })
    }

    /// `name dtype [shape]` lines of a `parameters` / `state_dict` list.
    static func slots(_ json: JSONValue?) -> [String] {
        (json?.arrayValue ?? []).map { entry in
            let shape = (entry["shape"]?.arrayValue ?? []).map { String($0.intValue ?? -1) }.joined(separator: ",")
            return "\(entry["name"]?.stringValue ?? "?") \(entry["dtype"]?.stringValue ?? "?") [\(shape)]"
        }
    }
}

extension MetaModel {
    /// `name dtype [shape]` lines of the slots, to compare with `Expected.slots`.
    var slotLines: [String] {
        slots.map { "\($0.name) \($0.dtype.rawValue) [\($0.shape.map(String.init).joined(separator: ","))]" }
    }

    var tiedLines: [String] { tiedWeights.map { "\($0.target) -> \($0.source)" } }
}
