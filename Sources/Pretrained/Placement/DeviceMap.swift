/// Where each module of a model goes: the result of `MetaModel.inferDeviceMap(maxMemory:noSplitModules:dtype:)`,
/// as `accelerate`'s `infer_auto_device_map` returns it.
///
/// ```swift
/// let map = try model.inferDeviceMap(maxMemory: MaxMemory(parsing: "0=10GB,cpu=30GB"), dtype: .f16)
/// map.entries.first                          // ("model.embed_tokens", .accelerator(0))
/// map.device(of: "model.layers.3.mlp.up_proj.weight")   // .accelerator(0)
/// map.bytes[.cpu]                            // what host memory holds
/// ```
public struct DeviceMap: Sendable, Hashable {
    /// One placement: a module (or a single parameter or buffer) and its device.
    public struct Entry: Sendable, Hashable {
        /// A module, parameter or buffer name; `""` is the whole model.
        public var module: String
        public var device: Device

        public init(module: String, device: Device) {
            self.module = module
            self.device = device
        }
    }

    /// The placements in `accelerate`'s order, module names merged to the shortest prefix whose
    /// modules share a device (`clean_device_map`).
    public var entries: [Entry]
    /// Bytes per device: the sum over the entries of `MetaModel.moduleSizes(dtype:)`, each entry
    /// counted in whole bytes. Devices without entries are absent.
    public var bytes: [Device: Int]

    public init(entries: [Entry], bytes: [Device: Int]) {
        self.entries = entries
        self.bytes = bytes
    }

    /// The device of the entry named exactly `module`, if any.
    public subscript(module: String) -> Device? {
        entries.first { $0.module == module }?.device
    }

    /// The device holding `name` (a tensor or module): the entry that is the longest dotted
    /// prefix of it (`""` covers everything), as `accelerate` looks tensors up.
    public func device(of name: String) -> Device? {
        var best: Entry?
        for entry in entries where entry.module.isEmpty || name == entry.module || name.hasPrefix(entry.module + ".") {
            if best.map({ entry.module.count > $0.module.count }) ?? true { best = entry }
        }
        return best?.device
    }

    /// The devices with entries, in fill order (accelerators, `cpu`, `disk`).
    public var devices: [Device] { bytes.keys.sorted() }

    /// The entries placed on `device`, in map order.
    public func entries(on device: Device) -> [Entry] {
        entries.filter { $0.device == device }
    }
}
