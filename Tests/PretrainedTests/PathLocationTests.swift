import Foundation
import SystemPackage
import Testing
@testable import Pretrained

/// The path-taking entry points accept a `FilePath` and a `file:` `URL` beside a `String` and do
/// exactly what the string does; a URL that is not a local file is `notAFileURL`, before any
/// file is touched.
@Suite struct PathLocationTests {
    static let gpt2 = Fixtures.path("models/GPT2LMHeadModel")

    /// Names and checksums of every parameter, and the tied registry: what two loads must share.
    static func fingerprint(_ model: PretrainedModel) -> [String] {
        model.parameters.map { "\($0.name) \($0.sha256())" } + model.tiedWeights.map { "\($0.target) -> \($0.source)" }
    }

    /// A copy of the GPT-2 fixture in a folder whose name needs percent-escapes in a URL.
    static func copyWithAwkwardName(in directory: TemporaryDirectory) throws -> String {
        let folder = directory.file("a folder %20 with #?; in it")
        try FileManager.default.copyItem(atPath: gpt2, toPath: folder)
        return folder
    }

    @Test func loadTakesAFilePathAndAFileURL() throws {
        let directory = try TemporaryDirectory()
        let folder = try Self.copyWithAwkwardName(in: directory)
        let expected = Self.fingerprint(try load(pretrained: folder))
        #expect(expected.count > 10)
        #expect(Self.fingerprint(try load(pretrained: FilePath(folder))) == expected)
        #expect(Self.fingerprint(try load(pretrained: URL(fileURLWithPath: folder))) == expected)
        #expect(Self.fingerprint(try load(pretrained: URL(string: "file://localhost" + folder.addingPercentEncoding(
            withAllowedCharacters: .urlPathAllowed)!)!)) == expected)
    }

    @Test func asyncLoadTakesAFilePathAndAFileURL() async throws {
        let expected = Self.fingerprint(try await load(pretrained: Self.gpt2))
        #expect(Self.fingerprint(try await load(pretrained: FilePath(Self.gpt2))) == expected)
        #expect(Self.fingerprint(try await load(pretrained: URL(fileURLWithPath: Self.gpt2))) == expected)
        let refused = PretrainedError.notAFileURL(url: "https://huggingface.co/gpt2")
        await #expect(throws: refused) { try await load(pretrained: URL(string: "https://huggingface.co/gpt2")!) }
    }

    @Test(arguments: ["https://huggingface.co/gpt2", "http://localhost/model", "file://server/share/model",
                      "s3://bucket/model.safetensors", "hf://gpt2"])
    func urlsThatAreNotLocalFilesAreRefused(text: String) throws {
        let url = try #require(URL(string: text))
        let refused = PretrainedError.notAFileURL(url: text)
        #expect(throws: refused) { try load(pretrained: url) }
        #expect(throws: refused) { try SafetensorsFile(url: url) }
        #expect(throws: refused) { try Checkpoint.resolve(url) }
        let model = try load(pretrained: Self.gpt2)
        #expect(throws: refused) { try model.save(pretrained: url) }
        #expect(refused.description.hasPrefix("'\(text)' is not a file URL on this machine"))
    }

    @Test func saveTakesAFilePathAndAFileURL() throws {
        let directory = try TemporaryDirectory()
        let model = try load(pretrained: Self.gpt2)
        let byString = try model.save(pretrained: directory.file("string"))
        let byPath = try model.save(pretrained: FilePath(directory.file("path")))
        let byURL = try model.save(pretrained: URL(fileURLWithPath: directory.file("url with space"), isDirectory: true))
        #expect(byPath == byString && byURL == byString)
        for name in ["string", "path", "url with space"] {
            let folder = directory.file(name)
            for file in byString.shards + ["config.json"] {
                #expect(FileManager.default.contentsEqual(atPath: Path.join(folder, file),
                                                          andPath: Path.join(directory.file("string"), file)), "\(name)/\(file)")
            }
            #expect(Self.fingerprint(try load(pretrained: folder)) == Self.fingerprint(model))
        }
    }

    @Test func safetensorsFilesAndCheckpointsTakeAFilePathAndAFileURL() throws {
        let directory = try TemporaryDirectory()
        let folder = try Self.copyWithAwkwardName(in: directory)
        let checkpoint = try Checkpoint.resolve(folder)
        #expect(checkpoint.shards.count == 4)
        for resolved in [try Checkpoint.resolve(FilePath(folder)), try Checkpoint.resolve(URL(fileURLWithPath: folder)),
                         try Checkpoint.resolve(FilePath(folder), boundary: FilePath(folder))] {
            #expect(resolved.shards.map(\.path) == checkpoint.shards.map(\.path))
            #expect(resolved.indexPath == checkpoint.indexPath)
        }
        let shard = try #require(checkpoint.shards.first?.path)
        let plain = try SafetensorsFile(path: shard)
        for file in [try SafetensorsFile(path: FilePath(shard), backend: .pread), try SafetensorsFile(url: URL(fileURLWithPath: shard))] {
            #expect(file.header.tensors.map(\.name) == plain.header.tensors.map(\.name))
            #expect(try file.tensors().map { $0.sha256() } == plain.tensors().map { $0.sha256() })
        }
    }
}
