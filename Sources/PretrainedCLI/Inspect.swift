import ArgumentParser
import Pretrained

extension PretrainedCommand {
    /// `pretrained inspect PATH [--json]`: headers only, never tensor data.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a checkpoint's tensors from its headers, without reading tensor data.",
            discussion: "PATH is a folder, a .safetensors file (optionally .zst, .zstd or .lz4), an index JSON, or a model id in the local Hugging Face cache."
        )

        @Argument(help: "A checkpoint folder, a .safetensors file (or .zst, .lz4), a model.safetensors.index.json, or a cached model id (org/name).")
        var path: String

        @Flag(help: "Print JSON as the CLI contract specifies.")
        var json = false

        @Flag(help: "Build the model from config.json alone (PATH: a folder or the config file) and print its modules, sizes, ties and plans.")
        var model = false

        @OptionGroup var modelOptions: ModelOptions

        @OptionGroup var source: SourceOptions

        func validate() throws {
            if modelOptions.isUsed && !model { throw ValidationError("--dtype and --architecture need --model") }
        }

        func run() throws {
            try PretrainedCommand.reportingErrors {
                if model {
                    let skeleton = try modelOptions.skeleton(path: source.folder(path))
                    return printOutput(json ? InspectModelReport.json(skeleton).serialized(pretty: true) : InspectModelReport.text(skeleton), json: json)
                }
                let headers = try OpenedCheckpoint.open(source.checkpoint(path))
                printOutput(json ? InspectReport.json(headers).serialized(pretty: true) : InspectReport.table(headers), json: json)
            }
        }
    }
}
