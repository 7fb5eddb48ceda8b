import Foundation
import Testing
@testable import Pretrained

/// The Hugging Face cache as hostile input (SECURITY.md, "The Hugging Face cache"): refs and
/// revisions that point elsewhere, and snapshot entries that link outside the repository.
@Suite struct HostileCacheTests {
    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["CACHE_SEED"], let value = UInt64(text) { return value }
        return UInt64.random(in: 0...UInt64(UInt32.max))
    }()

    static func options(_ cache: HubCache, revision: String = "main") -> LoadOptions {
        var options = LoadOptions()
        options.hubCache = cache
        options.revision = revision
        return options
    }

    /// `refs/main` holding anything but one commit name is refused, never followed elsewhere
    /// (`..` used to resolve to the repository folder itself, a NUL used to truncate).
    @Test(arguments: ["..", ".", "../..", "../2222bbbb", "2222bbbb/..", "snapshots/../..", "2222bbbb\u{0}evil",
                      "\u{0}", "2222bbbb extra", "/etc", "", "\n\n", "2222bbbb\u{1B}[2J", "..\n"])
    func refsThatAreNotOneCommitAreRefused(content: String) throws {
        let (root, cache) = try SourceResolutionTests().makeCache()
        try root.write("models--org--tiny-gpt2/refs/main", text: content)
        #expect {
            _ = try cache.snapshot(of: "org/tiny-gpt2")
        } throws: { error in
            guard case .noCheckpoint(_, let reason) = error as? PretrainedError else { return false }
            return reason.contains("malformed")
        }
        #expect(throws: PretrainedError.self) { try load(pretrained: "org/tiny-gpt2", options: Self.options(cache)) }
    }

    /// Revisions that are not ref names or commits are refused before any file is looked at.
    @Test(arguments: ["..", "../tiny", "a/../b", "x\u{0}y", "refs\\main", "", ".", "main/", "/main", "a//b",
                      String(repeating: "a", count: 300), "ma\u{1B}in"])
    func revisionsThatAreNotNamesAreRefused(revision: String) throws {
        let (_, cache) = try SourceResolutionTests().makeCache()
        #expect(throws: PretrainedError.self) { try cache.snapshot(of: "org/tiny-gpt2", revision: revision) }
    }

    /// Snapshot entries (a shard, the config, the index, the snapshot folder itself) that link
    /// outside the repository are refused; links into `blobs/` are the normal case and load.
    @Test(arguments: ["model-00001-of-00004.safetensors", "config.json", "snapshot", "index", "index-shard"])
    func snapshotEntriesLinkingOutsideAreRefused(entry: String) throws {
        let (root, cache) = try SourceResolutionTests().makeCache()
        let outside = try TemporaryDirectory()
        let fixture = Fixtures.path("models/GPT2LMHeadModel")
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture) {
            try FileManager.default.copyItem(atPath: fixture + "/" + name, toPath: outside.file(name))
        }
        let shard = "model-00001-of-00004.safetensors"
        let index = "model.safetensors.index.json"
        let snapshot = root.file("models--org--tiny-gpt2/snapshots/2222bbbb")
        func relink(_ name: String, to target: String) throws {
            try? FileManager.default.removeItem(atPath: snapshot + "/" + name)
            try FileManager.default.createSymbolicLink(atPath: snapshot + "/" + name, withDestinationPath: target)
        }
        switch entry {
        case "snapshot":
            try FileManager.default.removeItem(atPath: snapshot)
            try FileManager.default.createSymbolicLink(atPath: snapshot, withDestinationPath: outside.path)
        case "index":
            try relink(index, to: outside.file(index))
        case "index-shard":
            let text = try String(contentsOfFile: outside.file(index), encoding: .utf8)
            try? FileManager.default.removeItem(atPath: snapshot + "/" + index)
            try root.write("models--org--tiny-gpt2/snapshots/2222bbbb/" + index,
                           text: text.replacingOccurrences(of: shard, with: "escape.safetensors"))
            try relink("escape.safetensors", to: outside.file(shard))
        default:
            try relink(entry, to: outside.file(entry))
        }
        #expect(throws: PretrainedError.self, "\(entry)") {
            _ = try cache.checkpoint(of: "org/tiny-gpt2")
        }
        #expect(throws: PretrainedError.self, "\(entry)") {
            _ = try load(pretrained: "org/tiny-gpt2", options: Self.options(cache))
        }
        // The other revision, untouched, still loads.
        #expect(try load(pretrained: "org/tiny-gpt2", options: Self.options(cache, revision: "1111aaaa")).report == LoadReport())
    }

    /// Random ref contents and revisions built from hostile pieces: each resolution either fails
    /// with a typed error or returns a folder directly inside the repository's `snapshots/`.
    @Test func randomRefsResolveInsideSnapshotsOrFail() throws {
        print("HostileCacheTests seed: \(Self.seed) (CACHE_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed)
        let pieces = ["..", ".", "/", "2222bbbb", "1111aaaa", "\u{0}", "\n", " ", "snapshots", "refs", "main", "\\", "blobs", "x"]
        let (root, cache) = try SourceResolutionTests().makeCache()
        let snapshots = try #require(FileSystem.canonicalPath(root.file("models--org--tiny-gpt2/snapshots")))
        for _ in 0..<400 {
            let text = (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }
                .joined()
            let asRef = Bool.random(using: &random)
            if asRef { try root.write("models--org--tiny-gpt2/refs/main", text: text) }
            do {
                let snapshot = try cache.snapshot(of: "org/tiny-gpt2", revision: asRef ? "main" : text)
                let canonical = try #require(FileSystem.canonicalPath(snapshot))
                #expect(canonical.hasPrefix(snapshots + "/") && !canonical.dropFirst(snapshots.count + 1).contains("/"),
                        "\(text.debugDescription) -> \(snapshot)")
            } catch {
                #expect(error is PretrainedError, "\(error)")
            }
        }
    }
}
