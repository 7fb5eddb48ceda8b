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

        @OptionGroup var source: SourceOptions

        @Option(name: .customLong("key-mapping"),
                help: ArgumentHelp("Rename checkpoint keys before the architecture's renames (repeatable), as "
                                   + "from_pretrained(key_mapping=...): REGEX=REPLACEMENT, split at the last '='.",
                                   valueName: "regex=replacement"))
        var keyMapping: [String] = []

        @Flag(help: "When no registered architecture fits, the slots are the checkpoint's own tensors.")
        var generic = false

        @Flag(help: "Materialize every tensor in owned memory instead of zero-copy views.")
        var copy = false

        @Flag(help: "Report shape conflicts instead of failing.")
        var ignoreMismatchedSizes = false

        @Flag(help: "Fail (exit 1) when any key is missing, unexpected or mismatched.")
        var strict = false

        @Flag(help: "Read with pread into owned memory instead of mapping the shards.")
        var pread = false

        @Option(name: .customLong("memory-budget"),
                help: ArgumentHelp("The most memory the load may allocate for slots (owned copies, conversions, "
                                   + "zero-filled slots; zero-copy views are free), as --max-memory writes sizes: "
                                   + "8GB, 1.5GiB, 500MiB, or plain digits for bytes.", valueName: "size"))
        var memoryBudget: String?

        @Flag(help: ArgumentHelp("Read owned copies (--copy, --pread, conversions) with O_DIRECT where the file system "
                                 + "allows: nothing stays in the page cache, and a tensor-parallel rank reads its slices at the "
                                 + "device's block size instead of whole pages. By default only the tensors of shards the page "
                                 + "cache does not hold are read so, straight into their slots (conversions and slices are not)."))
        var direct = false

        @Flag(help: "Read every owned copy through the page cache, cold shards too (no O_DIRECT).")
        var buffered = false

        @Flag(help: "Compute each tensor's SHA-256 (reads every byte; on all cores, behind a prefetch of the views).")
        var checksums = false

        @Flag(help: ArgumentHelp("Bring zero-copy views into memory in the background, in parameter order, and wait "
                                 + "until they are resident before reporting (cold page cache: the disk's speed, not page faults)."))
        var prefetch = false

        @Flag(help: "Print JSON as the CLI contract specifies.")
        var json = false

        @OptionGroup var tensorParallel: TensorParallelOptions

        @Flag(help: "Dequantize a pre-quantized checkpoint (FP8 blocks, MLX affine, MXFP4, GPTQ, AWQ) to the slot dtype.")
        var dequantize = false

        func validate() throws {
            _ = try DTypeArgument.parse(dtype)
            _ = try budget()
            if direct && buffered { throw ValidationError("--direct and --buffered exclude each other") }
            for mapping in keyMapping {
                guard let pair = Self.keyMappingPair(mapping) else {
                    throw ValidationError("--key-mapping takes REGEX=REPLACEMENT, not '\(mapping)'")
                }
                do {
                    _ = try Regex(pair.pattern)
                } catch {
                    throw ValidationError("--key-mapping '\(mapping)': '\(pair.pattern)' is not a valid regular expression")
                }
            }
        }

        /// `--memory-budget` in bytes, or `nil` without one.
        ///
        /// - Throws: `ValidationError` naming the option and the accepted units.
        func budget() throws(ValidationError) -> Int? {
            guard let memoryBudget else { return nil }
            do {
                return try MemorySize.parse(memoryBudget)
            } catch {
                guard case .invalidMaxMemory(_, let reason) = error else { throw ValidationError("--memory-budget: \(error)") }
                throw ValidationError("--memory-budget: \(reason)")
            }
        }

        /// `REGEX=REPLACEMENT` split at the last `=` (a pattern may hold `(?=...)`); `nil` without one
        /// or with an empty pattern.
        static func keyMappingPair(_ text: String) -> (pattern: String, replacement: String)? {
            guard let equals = text.lastIndex(of: "="), equals != text.startIndex else { return nil }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }

        func run() throws {
            try PretrainedCommand.reportingErrors {
                var options = LoadOptions(dtype: try DTypeArgument.parse(dtype), architecture: architecture, copy: copy,
                                          ignoreMismatchedSizes: ignoreMismatchedSizes, backend: pread ? .pread : .mmap)
                options.revision = source.revision
                options.strict = strict
                options.keyMapping = keyMapping.compactMap(Self.keyMappingPair)
                options.generic = generic
                options.tensorParallel = try tensorParallel.resolve()
                options.dequantize = dequantize
                options.memoryBudget = try budget()
                options.prefetch = prefetch || checksums
                options.directIO = direct ? .always : buffered ? .never : .automatic
                if isatty(STDERR_FILENO) == 1 { options.progress = ProgressPrinter().callback }
                let model = try Pretrained.load(pretrained: path, options: options)
                for warning in model.report.warnings { printError("warning: \(warning)") }
                let sums = checksums ? Parallel.map(model.parameters.count) { model.parameters[$0].sha256() } : nil
                model.prefetch?.wait()
                try model.checkIntact()  // a shard truncated since it was mapped would have read as zeros
                printOutput(json ? LoadReportPrinter.json(model, checksums: sums).serialized(pretty: true)
                                 : LoadReportPrinter.table(model, checksums: sums), json: json)
            }
        }
    }
}
