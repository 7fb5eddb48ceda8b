import Foundation
import PretrainedFuzzTargets
import Testing
@testable import Pretrained

/// One hostile variant of a valid seed, with what opening it must do.
struct Mutant {
    /// The mutation family ("truncate", "dtype", ...).
    var family: String
    /// What was changed, precisely enough to redo it by hand.
    var detail: String
    var bytes: [UInt8]
    var expectation: Expectation
}

/// What opening a mutant must end in. Every mutant must also pass the oracle: no crash, and every
/// reader (`.mmap`, `.pread`, header-only, checkpoint resolution) agrees.
enum Expectation: CustomStringConvertible {
    /// Accepted or rejected: only the oracle's agreement is checked.
    case anyOutcome
    /// Accepted.
    case accepted
    /// Rejected with any typed error.
    case rejected
    /// Rejected with exactly this error, given the path the mutant was written to.
    case error((String) -> PretrainedError)
    /// Rejected with an error of this case, naming this tensor when given.
    case errorCase(String, tensor: String?)

    var description: String {
        switch self {
        case .anyOutcome: return "any typed outcome"
        case .accepted: return "accepted"
        case .rejected: return "rejected"
        case .error(let make): return "exactly '\(make("PATH"))'"
        case .errorCase(let name, let tensor): return ".\(name)" + (tensor.map { " for tensor '\($0)'" } ?? "")
        }
    }

    /// Whether `result` (`nil` when accepted) meets the expectation for a file at `path`.
    func isMet(by result: PretrainedError?, path: String) -> Bool {
        switch (self, result) {
        case (.anyOutcome, _): return true
        case (.accepted, nil): return true
        case (.rejected, .some): return true
        case (.error(let make), .some(let error)): return make(path) == error
        case (.errorCase(let name, let tensor), .some(let error)):
            return error.caseName == name && (tensor == nil || error.tensorName == tensor)
        default: return false
        }
    }
}

extension PretrainedError {
    /// The name of the case, as written in the source (`"byteCountMismatch"`).
    var caseName: String {
        Mirror(reflecting: self).children.first?.label ?? String(describing: self)
    }

    /// The tensor the error names, if it has a `tensor` field.
    var tensorName: String? {
        guard let payload = Mirror(reflecting: self).children.first?.value else { return nil }
        return Mirror(reflecting: payload).children.first { $0.label == "tensor" }?.value as? String
    }
}

/// Runs mutants through the oracles and records an issue for each that misbehaves, naming the
/// seed, the run's random seed and the mutant, with its bytes in base64 when small.
struct MutationRunner {
    let workspace: FuzzWorkspace
    let randomSeed: UInt64
    private(set) var count = 0
    private(set) var accepted = 0
    /// Problems found; only the first `reportLimit` are recorded in full.
    private(set) var problems = 0
    let reportLimit = 10

    init(randomSeed: UInt64) throws {
        workspace = try FuzzWorkspace()
        self.randomSeed = randomSeed
    }

    /// Writes `mutant` as a single file, checks it through every reader and against its expectation.
    mutating func check(_ mutant: Mutant, seed: String, sourceLocation: SourceLocation = #_sourceLocation) {
        count += 1
        let outcome = mutant.bytes.withUnsafeBytes { bytes in
            Result { () throws(InvariantViolation) in try SafetensorsOracle.check(fileBytes: bytes, in: workspace) }
        }
        let path = workspace.file("input.safetensors")
        var problem: String?
        switch outcome {
        case .failure(let violation):
            problem = "oracle violation: \(violation.reason)"
        case .success(let result):
            let error: PretrainedError?
            do {
                _ = try SafetensorsFile.readHeader(path: path)
                error = nil
            } catch let caught {
                error = caught
            }
            if result == .accepted { accepted += 1 }
            if !mutant.expectation.isMet(by: error, path: path) {
                problem = "expected \(mutant.expectation), got \(error.map { "'\($0)'" } ?? "acceptance")"
            } else {
                switch Result(catching: { () throws(InvariantViolation) in try CheckpointOracle.check(path: path) }) {
                case .failure(let violation):
                    problem = "checkpoint oracle violation: \(violation.reason)"
                case .success(let resolved) where (resolved == .accepted) != (error == nil):
                    problem = "checkpoint resolution disagrees with the file readers: \(resolved)"
                case .success:
                    break
                }
            }
        }
        if let problem { record(problem, mutant: mutant, seed: seed, sourceLocation: sourceLocation) }
    }

    /// Writes `mutant` as the index of the checkpoint in `directory`, checks the checkpoint through
    /// `CheckpointOracle` and against the expectation (whose closure receives the index's path).
    mutating func checkIndex(_ mutant: Mutant, directory: String, seed: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        count += 1
        let indexPath = directory + "/" + Checkpoint.indexFileName
        do {
            try Data(mutant.bytes).write(to: URL(fileURLWithPath: indexPath))
        } catch {
            record("could not write the index: \(error)", mutant: mutant, seed: seed, sourceLocation: sourceLocation)
            return
        }
        var problem: String?
        switch Result(catching: { () throws(InvariantViolation) in try CheckpointOracle.check(path: directory) }) {
        case .failure(let violation):
            problem = "oracle violation: \(violation.reason)"
        case .success(let outcome):
            let error: PretrainedError?
            do {
                _ = try OpenedCheckpoint.open(Checkpoint.resolve(directory))
                error = nil
            } catch let caught {
                error = caught
            }
            if outcome == .accepted { accepted += 1 }
            if (outcome == .accepted) != (error == nil) {
                problem = "the oracle (\(outcome)) and the headers (\(error.map { "\($0)" } ?? "accepted")) disagree"
            } else if !mutant.expectation.isMet(by: error, path: indexPath) {
                problem = "expected \(mutant.expectation), got \(error.map { "'\($0)'" } ?? "acceptance")"
            }
        }
        if let problem { record(problem, mutant: mutant, seed: seed, sourceLocation: sourceLocation) }
    }

    /// Loads `mutant` as the `model.safetensors` of `LoadOracle`'s tiny GPT-2 every way the oracle
    /// knows; they must agree, and the expectation must hold for the default load.
    mutating func checkLoad(_ mutant: Mutant, seed: String, sourceLocation: SourceLocation = #_sourceLocation) {
        count += 1
        let outcome = mutant.bytes.withUnsafeBytes { bytes in
            Result { () throws(InvariantViolation) in try LoadOracle.check(bytes, in: workspace) }
        }
        var problem: String?
        switch outcome {
        case .failure(let violation):
            problem = "oracle violation: \(violation.reason)"
        case .success(let result):
            if result == .accepted { accepted += 1 }
            let error: PretrainedError?
            do {
                _ = try load(pretrained: workspace.file("load"))
                error = nil
            } catch let caught {
                error = caught
            }
            if !mutant.expectation.isMet(by: error, path: workspace.file("load/model.safetensors")) {
                problem = "expected \(mutant.expectation), got \(error.map { "'\($0)'" } ?? "a load")"
            }
        }
        if let problem { record(problem, mutant: mutant, seed: seed, sourceLocation: sourceLocation) }
    }

    /// Records `problem` for `mutant` with everything needed to replay it; past `reportLimit`
    /// problems only counts them (`expectNoProblems` reports the total).
    mutating func record(_ problem: String, mutant: Mutant, seed: String, sourceLocation: SourceLocation) {
        problems += 1
        guard problems <= reportLimit else { return }
        let bytes = mutant.bytes.count <= 2048 ? "\n  bytes (base64): \(base64(mutant.bytes))" : ""
        Issue.record(
            "\(problem)\n  seed file: \(seed), MUTATION_SEED=\(randomSeed)\n  mutant: [\(mutant.family)] \(mutant.detail)\(bytes)",
            sourceLocation: sourceLocation)
    }
}

extension MutationRunner {
    /// Fails when any mutant misbehaved, with the total (the first few were recorded in full).
    func expectNoProblems(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(problems == 0, "\(problems) of \(count) \(what) mutants misbehaved", sourceLocation: sourceLocation)
    }
}

/// Base64 without Foundation, for failure messages.
func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var output = ""
    var i = 0
    while i < bytes.count {
        let chunk = bytes[i..<min(i + 3, bytes.count)]
        var value = 0
        for (j, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * j) }
        for j in 0..<4 { output.append(j <= chunk.count ? alphabet[(value >> (18 - 6 * j)) & 63] : "=") }
        i += 3
    }
    return output
}

/// The random seed for mutation runs: `MUTATION_SEED` from the environment, else `fixed`.
func mutationSeed(default fixed: UInt64) -> UInt64 {
    guard let text = getenv("MUTATION_SEED").map({ String(cString: $0) }), let value = UInt64(text) else { return fixed }
    return value
}
