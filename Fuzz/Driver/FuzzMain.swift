// The libFuzzer entry point. `scripts/fuzz` builds this target with `-DFUZZING`,
// `--sanitize=fuzzer --sanitize=address` and `-parse-as-library`; libFuzzer supplies `main`.
// In a normal build it is a tiny executable that says how to fuzz, so the package's ordinary
// `swift build` and `swift build --build-tests` keep compiling (and type-checking) it.
import PretrainedFuzzTargets

#if FUZZING
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The target named by `PRETRAINED_FUZZ_TARGET` and its scratch folder, made on the first input.
final class FuzzSession: @unchecked Sendable {
    static let shared = FuzzSession()

    let target: FuzzTarget
    let workspace: FuzzWorkspace
    /// `PRETRAINED_FUZZ_VERBOSE=1` prints each input's outcome (for `scripts/fuzz replay`).
    let verbose = getenv("PRETRAINED_FUZZ_VERBOSE") != nil

    init() {
        let name = getenv("PRETRAINED_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set PRETRAINED_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue)), not '\(name)'")
        }
        do {
            workspace = try FuzzWorkspace()
        } catch {
            fatalError("cannot make a scratch folder: \(error)")
        }
        self.target = target
    }
}

/// Runs one input; a violated invariant traps so that libFuzzer records the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let session = FuzzSession.shared
    let outcome = session.target.run(UnsafeRawBufferPointer(start: data, count: size), in: session.workspace)
    if session.verbose {
        var line = "\(session.target.rawValue): \(size) bytes: \(outcome)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
    if case .violation(let reason) = outcome {
        fatalError("\(session.target.rawValue): \(reason)")
    }
    return 0
}
#else
/// Without `-DFUZZING`: explain how to run the fuzzer.
@main enum FuzzMain {
    static func main() {
        print("Build and run the fuzz targets (\(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))) with scripts/fuzz.")
    }
}
#endif
