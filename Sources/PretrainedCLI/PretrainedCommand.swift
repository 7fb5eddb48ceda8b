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
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
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
