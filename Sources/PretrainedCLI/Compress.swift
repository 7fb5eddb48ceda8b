import ArgumentParser
import Pretrained

extension PretrainedCommand {
    /// `pretrained compress PATH [--codec zstd|lz4] [--level N] [--frame-size MiB] [--out DIR]`.
    struct Compress: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a zstd- or lz4-compressed copy of a checkpoint, then verify it.",
            discussion: """
                Each shard becomes NAME.safetensors.zst (or .lz4): frames of --frame-size MiB, each \
                declaring its size and carrying a checksum, so loads decode them on all cores. The \
                index (weight_map naming the compressed files) and the other JSON files are written \
                beside them. Every file is written atomically; the original is never modified. The \
                copy is then decoded and compared with the original byte for byte.
                """
        )

        enum Codec: String, ExpressibleByArgument, CaseIterable {
            case zstd, lz4
            var compression: ShardCompression { self == .zstd ? .zstd : .lz4 }
        }

        @Argument(help: "A checkpoint folder, a .safetensors file, or a model.safetensors.index.json.")
        var path: String

        @Option(help: "The codec: zstd or lz4.")
        var codec = Codec.zstd

        @Option(help: "Compression level (zstd: up to 22, default 3; lz4: 0-12, default 0, 3 and up is lz4hc).")
        var level: Int?

        @Option(help: "Decoded bytes per frame, in MiB (fractions allowed).")
        var frameSize = Double(CompressedShardWriter.Options.defaultFrameSize) / Double(1 << 20)

        @Option(help: "The output folder (default: the checkpoint's folder with -zstd or -lz4 appended).")
        var out: String?

        @Flag(help: "Skip decoding the result and comparing it with the original.")
        var noVerify = false

        @Flag(help: "Print the result as JSON.")
        var json = false

        var options: CompressedShardWriter.Options {
            CompressedShardWriter.Options(
                compression: codec.compression, level: level,
                frameSize: Int((frameSize * Double(1 << 20)).rounded()))
        }

        func validate() throws {
            guard frameSize.isFinite, frameSize * Double(1 << 20) >= 1, frameSize <= 1024 else {
                throw ValidationError("--frame-size must be between 1 byte (about 0.000001 MiB) and 1024 MiB")
            }
            let levels = CompressedShardWriter.Options.levels(for: codec.compression)
            if let level, let levels, !levels.contains(level) {
                throw ValidationError(
                    "--level for \(codec.rawValue) must lie in \(levels.lowerBound)...\(levels.upperBound)")
            }
        }

        func run() throws {
            try PretrainedCommand.reportingErrors {
                let clock = ContinuousClock()
                let start = clock.now
                let checkpoint = try Checkpoint.resolve(path)
                let directory =
                    out ?? CheckpointCompressor.defaultDirectory(for: checkpoint, compression: codec.compression)
                let result = try CheckpointCompressor.compress(
                    checkpoint, to: directory, options: options, verify: !noVerify)
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                printOutput(
                    json
                        ? CompressReport.json(result, options: options, seconds: seconds).serialized(pretty: true)
                        : CompressReport.table(result, seconds: seconds), json: json)
            }
        }
    }
}
