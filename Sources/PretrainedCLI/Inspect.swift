import ArgumentParser
import Pretrained

extension PretrainedCommand {
    /// `pretrained inspect PATH [--json]`: headers only, never tensor data.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a checkpoint's tensors from its headers, without reading tensor data.",
            discussion: "PATH is a folder, a .safetensors file, or an index JSON."
        )

        @Argument(help: "A checkpoint folder, a .safetensors file, or a model.safetensors.index.json.")
        var path: String

        @Flag(help: "Print JSON as the CLI contract specifies.")
        var json = false

        func run() throws {
            try PretrainedCommand.reportingErrors {
                let headers = try CheckpointHeaders.read(Checkpoint.resolve(path))
                print(json ? InspectReport.json(headers).serialized(pretty: true) : InspectReport.table(headers))
            }
        }
    }
}
