import ArgumentParser
import Pretrained

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PretrainedCommand {
    /// `pretrained load PATH [options] [--json]`: build the model, load every weight, report.
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a checkpoint into its model and report what lined up.",
            discussion: "PATH is a folder, an index JSON, or a model id in the local Hugging Face cache."
        )

        @Argument(help: "A checkpoint folder, a model.safetensors.index.json, or a cached model id (org/name).")
        var path: String

        @Option(help: "dtype of floating-point slots: auto, F32, F16 or BF16.")
        var dtype = "auto"

        @Option(help: "Build this class instead of config.json's architectures[0].")
        var architecture: String?

        @Option(help: "Revision of a cached model id (a ref such as main, or a commit).")
        var revision = "main"

        @Flag(help: "Materialize every tensor in owned memory instead of zero-copy views.")
        var copy = false

        @Flag(help: "Report shape conflicts instead of failing.")
        var ignoreMismatchedSizes = false

        @Flag(help: "Read with pread into owned memory instead of mapping the shards.")
        var pread = false

        @Flag(help: "Compute each tensor's SHA-256 (reads every byte).")
        var checksums = false

        @Flag(help: "Print JSON as the CLI contract specifies.")
        var json = false

        func validate() throws {
            _ = try DTypeArgument.parse(dtype)
        }

        func run() throws {
            try PretrainedCommand.reportingErrors {
                var options = LoadOptions(dtype: try DTypeArgument.parse(dtype), architecture: architecture, copy: copy,
                                          ignoreMismatchedSizes: ignoreMismatchedSizes, backend: pread ? .pread : .mmap)
                options.revision = revision
                if isatty(STDERR_FILENO) == 1 { options.progress = ProgressPrinter().callback }
                let model = try Pretrained.load(pretrained: path, options: options)
                let sums = checksums ? model.parameters.map { $0.sha256() } : nil
                try model.checkIntact()  // a shard truncated since it was mapped would have read as zeros
                printOutput(json ? LoadReportPrinter.json(model, checksums: sums).serialized(pretty: true)
                                 : LoadReportPrinter.table(model, checksums: sums), json: json)
            }
        }
    }
}
