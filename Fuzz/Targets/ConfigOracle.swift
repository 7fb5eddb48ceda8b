#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Pretrained

/// Checks a hostile `config.json`: parsed, its skeleton built, and loaded over a fixed tiny GPT-2
/// checkpoint (`LoadOracle.config`'s shapes) under a 64 MiB budget.
///
/// An accepted config must give a skeleton whose every slot has a non-negative size that its
/// shape and dtype account for, and a load must end in a typed outcome whose model has exactly
/// the skeleton's slots, in order, each holding its slot's bytes. Allocation is bounded by the
/// budget (`LoadOptions.memoryBudget`) and by the unprovided-slot limit, so a config asking for
/// gigabytes is refused before memory is touched (`-malloc_limit_mb` catches a regression).
public enum ConfigOracle {
    /// The budget of every load.
    public static let budget = 64 << 20
    /// The most slots the oracle loads (a GPT-2 of about 1,500 layers).
    public static let maximumLoadedSlots = 20_000

    public static func check(_ data: UnsafeRawBufferPointer, in workspace: FuzzWorkspace) throws(InvariantViolation) -> FuzzOutcome {
        let folder: String
        do {
            folder = try workspace.makeFolder("config")
            try workspace.write("config/config.json", bytes: data)
            if access(workspace.file("config/model.safetensors"), F_OK) != 0 {
                try SafetensorsWriter.write([
                    try Tensor(name: "transformer.wte.weight", dtype: .f32, shape: [16, 8], bytes: [UInt8](repeating: 0, count: 512)),
                    try Tensor(name: "transformer.ln_f.weight", dtype: .f32, shape: [8], bytes: [UInt8](repeating: 0, count: 32)),
                ], to: workspace.file("config/model.safetensors"))
            }
        } catch {
            throw InvariantViolation("could not write the input: \(error)")
        }
        let config: ModelConfig
        let skeleton: MetaModel
        do {
            config = try ModelConfig.read(path: folder + "/config.json")
            skeleton = try MetaModel(config: config)
        } catch {
            return .rejected(error.description)
        }
        for slot in skeleton.slots {
            let elements = slot.shape.reduce(1 as Int?) { total, dimension in
                total.flatMap { $0.multipliedReportingOverflow(by: dimension).overflow ? nil : $0 * dimension }
            }
            try require(slot.shape.allSatisfy { $0 >= 0 } && elements != nil, "slot '\(slot.name)' has shape \(slot.shape)")
            try require(slot.byteCount >= 0, "slot '\(slot.name)' has \(slot.byteCount) bytes")
        }
        // Loading a skeleton of many slots is linear but slow in the sanitized build (ScaleTests
        // covers its time); the oracle loads those up to its own time budget only.
        guard skeleton.slots.count <= maximumLoadedSlots else {
            return .rejected("a skeleton of \(skeleton.slots.count) slots, not loaded by the oracle")
        }
        var options = LoadOptions()
        options.memoryBudget = budget
        let model: PretrainedModel
        do {
            model = try load(pretrained: folder, options: options)
        } catch {
            return .rejected(error.description)
        }
        try require(model.parameters.map(\.name) == skeleton.slots.map(\.name), "the model's names differ from the skeleton's")
        for (tensor, slot) in zip(model.parameters, skeleton.slots) {
            try require(tensor.shape == slot.shape, "'\(tensor.name)' has shape \(tensor.shape), its slot \(slot.shape)")
            try require(tensor.storage.count >= tensor.byteCount,
                        "'\(tensor.name)' holds \(tensor.storage.count) bytes for \(tensor.byteCount)")
        }
        return .accepted
    }
}
