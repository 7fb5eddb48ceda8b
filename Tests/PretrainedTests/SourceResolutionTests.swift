import Foundation
import Testing
@testable import Pretrained

/// `load(pretrained:)` sources: folders, index files, single files, and model ids resolved
/// offline in the local Hugging Face cache.
@Suite struct SourceResolutionTests {
    /// A cache holding the tiny GPT-2 as `org/tiny-gpt2` at two revisions, laid out as
    /// `huggingface_hub` lays it out: snapshot files are links to `../../blobs/<hash>`.
    func makeCache() throws -> (TemporaryDirectory, HubCache) {
        let root = try TemporaryDirectory()
        let repository = root.file("models--org--tiny-gpt2")
        let fixture = Fixtures.path("models/GPT2LMHeadModel")
        try FileManager.default.createDirectory(atPath: repository + "/blobs", withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture).filter { $0 != "expected.json" }
        for (i, name) in names.enumerated() {
            try FileManager.default.copyItem(atPath: fixture + "/" + name, toPath: repository + "/blobs/blob\(i)")
        }
        for commit in ["1111aaaa", "2222bbbb"] {
            let snapshot = repository + "/snapshots/" + commit
            try FileManager.default.createDirectory(atPath: snapshot, withIntermediateDirectories: true)
            for (i, name) in names.enumerated() {
                try FileManager.default.createSymbolicLink(atPath: snapshot + "/" + name, withDestinationPath: "../../blobs/blob\(i)")
            }
        }
        try FileManager.default.createDirectory(atPath: repository + "/refs", withIntermediateDirectories: true)
        try root.write("models--org--tiny-gpt2/refs/main", text: "2222bbbb\n")
        return (root, HubCache(root: root.path))
    }

    /// Every command takes a cached model id, and an uncached one says the tool is offline.
    @Test func everyCommandTakesACachedModelID() throws {
        let (root, _) = try makeCache()
        let environment = ["HF_HUB_CACHE": root.path]
        let commands: [[String]] = [
            ["load", "org/tiny-gpt2", "--json"], ["inspect", "org/tiny-gpt2", "--json"],
            ["inspect", "--model", "org/tiny-gpt2", "--json"],
            ["plan", "org/tiny-gpt2", "--max-memory", "0=60KB,cpu=60KB,disk=1GB", "--json", "--revision", "1111aaaa"],
        ]
        for command in commands {
            let result = try CommandResult.run(command, environment: environment)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            #expect(try JSONParser.parse(Array(result.stdout.utf8)).objectValue?.isEmpty == false, "\(command)")
        }
        let absent = try CommandResult.run(["inspect", "org/absent"], environment: environment)
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("downloads nothing") && absent.stderr.contains("hf download org/absent"))
    }

    @Test func modelIDsResolveThroughRefsAndCommits() throws {
        let (root, cache) = try makeCache()
        #expect(try cache.snapshot(of: "org/tiny-gpt2") == root.file("models--org--tiny-gpt2/snapshots/2222bbbb"))
        #expect(try cache.snapshot(of: "org/tiny-gpt2", revision: "1111aaaa")
            == root.file("models--org--tiny-gpt2/snapshots/1111aaaa"))
        #expect(throws: PretrainedError.self) { try cache.snapshot(of: "org/tiny-gpt2", revision: "v9") }
        #expect(throws: PretrainedError.self) { try cache.snapshot(of: "org/absent") }

        var options = LoadOptions()
        options.hubCache = cache
        let model = try load(pretrained: "org/tiny-gpt2", options: options)
        #expect(model.architecture == "GPT2LMHeadModel")
        #expect(model.report == LoadReport())
    }

    @Test func cacheLocationFollowsTheEnvironment() {
        #expect(HubCache.default(environment: ["HF_HUB_CACHE": "/a", "HF_HOME": "/b"]).root == "/a")
        #expect(HubCache.default(environment: ["HF_HOME": "/b", "HOME": "/h"]).root == "/b/hub")
        // The legacy variable huggingface_hub still honours: after HF_HUB_CACHE, before HF_HOME.
        #expect(HubCache.default(environment: ["HUGGINGFACE_HUB_CACHE": "/c", "HF_HOME": "/b"]).root == "/c")
        #expect(HubCache.default(environment: ["HF_HUB_CACHE": "/a", "HUGGINGFACE_HUB_CACHE": "/c"]).root == "/a")
        #expect(HubCache.default(environment: ["HOME": "/h"]).root == "/h/.cache/huggingface/hub")
        #expect(HubCache.default(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/x"]).root == "/x/huggingface/hub")
    }

    @Test func modelIDShapes() {
        #expect(HubCache.isModelID("gpt2"))
        #expect(HubCache.isModelID("meta-llama/Llama-2-7b-hf"))
        #expect(!HubCache.isModelID("../gpt2"))
        #expect(!HubCache.isModelID("a/b/c"))
        #expect(!HubCache.isModelID("/abs/path"))
    }

    @Test func indexFileAndSingleFileSourcesLoadTheSameModel() throws {
        let folder = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel"))
        let index = try load(pretrained: Fixtures.path("models/GPT2LMHeadModel/model.safetensors.index.json"))
        #expect(folder.parameters.map { $0.sha256() } == index.parameters.map { $0.sha256() })
        let single = try load(pretrained: Fixtures.path("models/GPT2Model/model.safetensors"),
                              options: LoadOptions(architecture: "GPT2Model"))
        #expect(single.architecture == "GPT2Model")
    }

    @Test func aFolderWithoutConfigIsAnError() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 5
        try SafetensorsWriter.write([try .random("w", .f32, [2], seed: &seed)], to: directory.file("model.safetensors"))
        #expect(throws: PretrainedError.noCheckpoint(path: directory.path, reason: "no config.json beside the checkpoint")) {
            try load(pretrained: directory.path)
        }
    }

    @Test func invalidConfigsAreTypedErrors() throws {
        let directory = try TemporaryDirectory()
        var seed: UInt64 = 5
        try SafetensorsWriter.write([try .random("w", .f32, [2], seed: &seed)], to: directory.file("model.safetensors"))
        try directory.write("config.json", text: "{\"architectures\": [\"GPT2Model\"], ")
        #expect(throws: PretrainedError.self) { try load(pretrained: directory.path) }
        try directory.write("config.json", text: #"{"architectures": ["NoSuchModel"]}"#)
        #expect(throws: PretrainedError.unknownArchitecture(name: "NoSuchModel", known: ArchitectureRegistry.shared.names)) {
            try load(pretrained: directory.path)
        }
    }
}
