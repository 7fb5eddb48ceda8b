import ArgumentParser
import Pretrained

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `pretrained` command: inspect and load Hugging Face-style checkpoints.
@main
struct PretrainedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrained",
        abstract: "Inspect and load Hugging Face-style safetensors checkpoints.",
        version: Version.description,
        subcommands: [Inspect.self, Load.self, Compress.self, Plan.self]
    )

    /// Parses and runs, mapping argument-parser's usage exit status (64) to the contract's 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(TerminalText.escapedLines(fullMessage(for: error)))
                if let suggestion = suggestedSubcommand(for: CommandLine.arguments.dropFirst().first) {
                    printError("Did you mean '\(suggestion)'?")
                }
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }

    /// The subcommand closest to a mistyped first argument (at most two edits away, and not an
    /// option or an existing subcommand), or `nil`.
    static func suggestedSubcommand(for argument: String?) -> String? {
        guard let argument, !argument.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.map { $0._commandName }
        guard !names.contains(argument) else { return nil }
        let closest = names.map { (name: $0, distance: editDistance(argument, $0)) }.min { $0.distance < $1.distance }
        return closest.flatMap { $0.distance <= 2 ? $0.name : nil }
    }

    /// The Levenshtein distance between `a` and `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Runs a subcommand body, turning a `PretrainedError` into the contract's exit status 1 with
    /// a one-line `error:` message on stderr.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as PretrainedError {
            printErrorLine(error.description)
            throw ExitCode(1)
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String, newline: Bool = true) {
    var text = newline ? line + "\n" : line
    text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
}
