import Foundation
import Testing
@testable import Pretrained

/// `pretrained load --memory-budget SIZE`: sizes read as `--max-memory` reads them, wired to
/// `LoadOptions.memoryBudget` (SECURITY.md row 72), run as the real executable.
@Suite struct LoadMemoryBudgetCommandTests {
    static let model = Fixtures.path("models/GPT2LMHeadModel")

    /// Owned copies count against the budget, in the unit the size was written in.
    @Test(arguments: [("1KB", 1000), ("1KiB", 1024), ("4096", 4096), ("0.5kb", 62)])
    func aBudgetTooSmallForCopiesFailsTheLoad(size: String, bytes: Int) throws {
        let result = try CommandResult.run(["load", Self.model, "--copy", "--memory-budget", size])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: the load needs "), "\(result.stderr)")
        #expect(result.stderr.hasSuffix(" bytes of memory, over the memory budget (\(bytes) bytes)\n"), "\(result.stderr)")
    }

    /// A budget the copies fit loads as without one; views cost nothing, so a zero budget loads too.
    @Test func aBudgetThatFitsLoadsTheSameModel() throws {
        let free = try CommandResult.run(["load", Self.model, "--json", "--checksums"])
        #expect(free.status == 0, "\(free.stderr)")
        for arguments in [["--copy", "--memory-budget", "1GB"], ["--memory-budget", "0"]] {
            let result = try CommandResult.run(["load", Self.model, "--json", "--checksums"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let output = try JSONParser.parse(Array(result.stdout.utf8))
            let reference = try JSONParser.parse(Array(free.stdout.utf8))
            #expect(output["report"] == reference["report"], "\(arguments)")
            #expect(output["parameters"] == reference["parameters"], "\(arguments)")
            #expect(output["tied"] == reference["tied"], "\(arguments)")
        }
    }

    /// Sizes that are not sizes are usage errors naming the option and the accepted units.
    @Test(arguments: ["8TB", "lots", "-1GB", "", "1e999GB"])
    func badSizesAreUsageErrors(size: String) throws {
        let result = try CommandResult.run(["load", Self.model, "--memory-budget", size])
        #expect(result.status == 2, "\(size): \(result.stderr)")
        #expect(result.stderr.contains("--memory-budget"), "\(size): \(result.stderr)")
        if size != "-1GB" && size != "1e999GB" {
            #expect(result.stderr.contains("GiB, MiB, KiB"), "\(size): \(result.stderr)")
        }
    }
}
