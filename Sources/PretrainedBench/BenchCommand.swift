import ArgumentParser
import Foundation
import Pretrained

/// `pretrained-bench`: our loads against the machine's limits, measured in one run, each case
/// in its own process, several times, median and spread shown.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrained-bench",
        abstract: "Benchmark checkpoint loading against the machine's physical limits.",
        discussion: """
            Creates (once, cached) a bf16 checkpoint with TinyLlama-1.1B's shapes (--size full, ~2.2 GB) \
            or a ~100 MB model of the same structure (--size small), then times each case in a child \
            process. Ratios compare a load with the limit kernel of the same files in the same run.
            """
    )

    @Option(help: "Checkpoint size: small (~100 MB) or full (TinyLlama-1.1B shapes, ~2.2 GB).")
    var size: String = "full"

    @Option(help: "Folder where the checkpoints are created once and reused.")
    var cache: String = "/tmp/pretrained-bench"

    @Option(name: .customLong("repeat"), help: "Runs per case (default 5 for small, 3 for full).")
    var runsPerCase: Int?

    @Option(help: "Comma-separated case names to run (default: all).")
    var only: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: .hidden)
    var child: String?

    func validate() throws {
        guard BenchCheckpoint.Size(rawValue: size) != nil else { throw ValidationError("--size must be small or full") }
        if let runsPerCase, runsPerCase < 1 { throw ValidationError("--repeat must be at least 1") }
    }

    func run() throws {
        let checkpoint = BenchCheckpoint(size: BenchCheckpoint.Size(rawValue: size) ?? .small, directory: cache + "/" + size)
        if let child {
            try runChild(child, checkpoint: checkpoint)
            return
        }
        FileHandle.standardError.write(Data("checkpoint: \(checkpoint.directory)\n".utf8))
        if try checkpoint.prepare() { FileHandle.standardError.write(Data("  written\n".utf8)) }
        try checkpoint.prepareVariants()
        _ = try BenchCases.prepareHeaderOnlyCheckpoint(in: cache)
        let selected = only.map { Set($0.split(separator: ",").map(String.init)) }
        let cases = BenchCases.all.filter { selected?.contains($0.name) ?? true }
        for format in QuantizedBenchCheckpoint.Format.allCases where cases.contains(where: { $0.name.hasSuffix("-" + format.rawValue) }) {
            try QuantizedBenchCheckpoint(format: format, cache: cache).prepare()
        }
        let runs = runsPerCase ?? (checkpoint.size == .small ? 5 : 3)
        // Round-robin: every case once per round, so that a load and its limit kernel share the
        // machine's state (other work, the host's own cache of this VM's disk) as fairly as possible.
        var results = [[ChildResult]](repeating: [], count: cases.count)
        for round in 1...runs {
            for (index, benchCase) in cases.enumerated() {
                FileHandle.standardError.write(Data("  round \(round): \(benchCase.name)...\n".utf8))
                results[index].append(try ChildResult.spawn(benchCase.name, arguments: ["--size", size, "--cache", cache]))
            }
        }
        let rows = zip(cases, results).map { BenchRow(benchCase: $0, results: $1) }
        let report = BenchReport(checkpoint: checkpoint, rows: rows, runs: runs)
        print(json ? report.json.serialized(pretty: true) : report.table)
    }

    func runChild(_ name: String, checkpoint: BenchCheckpoint) throws {
        guard let benchCase = BenchCases.all.first(where: { $0.name == name }) else { throw BenchError("no case \(name)") }
        var alive: [Any] = []
        let context = BenchContext(
            checkpoint: checkpoint, shards: try checkpoint.shardPaths(),
            headerOnlyCheckpoint: cache + "/headers-100k.safetensors", cache: cache,
            cliPath: URL(fileURLWithPath: CommandLine.executablePath).deletingLastPathComponent().appendingPathComponent("pretrained").path,
            keepAlive: { alive.append($0) })
        let result = try ChildResult.runHere(benchCase, context: context)
        print(result.json)
        withExtendedLifetime(alive) {}
    }
}
