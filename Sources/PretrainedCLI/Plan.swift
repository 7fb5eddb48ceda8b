import ArgumentParser
import Pretrained

extension PretrainedCommand {
    /// `pretrained plan PATH --max-memory SPEC [--no-split CLASS,...] [--dtype ...] [--json]`.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Infer a device map under memory budgets, as accelerate's infer_auto_device_map.",
            discussion: """
                PATH is a model folder, its config.json, or a model id in the local Hugging Face \
                cache; no weights are read. Modules fill the \
                accelerators in order, then cpu, then disk (always available), never splitting a \
                no-split class, keeping tied parameters together and keeping room on the first \
                accelerator and cpu for the largest layer.
                """
        )

        @Argument(help: "A model folder, its config.json, or a cached model id (org/name).")
        var path: String

        @Option(help: ArgumentHelp(
            "Budgets per device: accelerator ordinals, cpu, disk (0=10GB,1=10GB,cpu=30GB,disk=1000GB).",
            discussion: "GB = 10^9, GiB = 2^30 bytes (likewise MB, MiB, KB, KiB); plain digits are bytes; no TB.",
            valueName: "spec"))
        var maxMemory: String

        @Option(help: ArgumentHelp(
            "Classes never split across devices, comma-separated (default: the architecture's; '' for none).",
            valueName: "classes"))
        var noSplit: String?

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var source: SourceOptions

        @Flag(help: "Print JSON as the CLI contract specifies.")
        var json = false

        func validate() throws {
            do {
                _ = try MaxMemory(parsing: maxMemory)
            } catch {
                throw ValidationError("--max-memory: \(error.description)")
            }
        }

        /// The `--no-split` classes, or `nil` for the architecture's.
        var noSplitClasses: [String]? {
            noSplit.map { list in
                list.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
            }
        }

        func run() throws {
            try PretrainedCommand.reportingErrors {
                let model = try modelOptions.skeleton(path: source.folder(path))
                let budget = try MaxMemory(parsing: maxMemory)
                let noSplit = noSplitClasses ?? model.architecture.noSplitModules
                let map = try model.inferDeviceMap(maxMemory: budget, noSplitModules: noSplit, dtype: model.dtype)
                let report = PlanReport(model: model, budget: budget, noSplit: noSplit, map: map)
                printOutput(json ? report.json.serialized(pretty: true) : report.text, json: json)
            }
        }
    }
}
