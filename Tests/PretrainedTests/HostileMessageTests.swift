import Foundation
import Testing
@testable import Pretrained

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors say what a file actually is and why it is refused (SECURITY.md, "Messages that say
/// what is wrong"), and a huge index is refused in time linear in its size.
@Suite struct HostileMessageTests {
    /// Kinds of non-regular file, each made at `path`; `nil` kind: nothing there (dangling link).
    static let specials: [(name: String, kind: String?)] = [
        ("fifo", "a FIFO (named pipe)"), ("socket", "a socket"), ("loop", "a symbolic link loop"),
        ("folder", "a folder"), ("dangling", nil),
    ]

    static func make(_ name: String, at path: String) throws {
        switch name {
        case "fifo": #expect(mkfifo(path, 0o644) == 0)
        case "socket":
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(bound == 0)
            close(fd)
        case "loop": try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: path)
        case "folder": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        default: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: path + ".absent")
        }
    }

    /// A shard named by an index that is a FIFO, a socket, a link loop or a folder is named as
    /// such (it used to be "does not exist"); a dangling link does not exist.
    @Test(arguments: specials.map(\.name))
    func shardsThatAreNotFilesSayWhatTheyAre(special: String) throws {
        let directory = try TemporaryDirectory()
        try Self.make(special, at: directory.file("s.safetensors"))
        let index = try directory.write("model.safetensors.index.json", text: #"{"weight_map": {"a": "s.safetensors"}}"#)
        let kind = Self.specials.first { $0.name == special }?.kind
        #expect(throws: kind.map { PretrainedError.shardNotAFile(file: index, shard: "s.safetensors", kind: $0) }
                    ?? .missingShard(file: index, shard: "s.safetensors")) {
            try Checkpoint.resolve(directory.path)
        }
        // Given directly, the path is described too (a folder is a folder checkpoint).
        if special == "folder" { return }
        #expect {
            try Checkpoint.resolve(directory.file("s.safetensors"))
        } throws: { error in
            guard case .noCheckpoint(_, let reason) = error as? PretrainedError else { return false }
            return reason.contains(kind ?? "no such file")
        }
    }

    /// A `config.json` that is a FIFO, a socket, a link loop or a folder is refused as what it
    /// is (it used to read as "no config.json"), by the loader and by `ModelConfig.read`.
    @Test(arguments: specials.map(\.name).filter { $0 != "dangling" })
    func configsThatAreNotFilesSayWhatTheyAre(special: String) throws {
        let directory = try HostileConfigTests.checkpoint { _ in }
        try FileManager.default.removeItem(atPath: directory.file("config.json"))
        try Self.make(special, at: directory.file("config.json"))
        let kind = try #require(Self.specials.first { $0.name == special }?.kind)
        #expect(throws: PretrainedError.invalidConfig(file: directory.file("config.json"), reason: "it is \(kind), not a regular file")) {
            try load(pretrained: directory.path)
        }
        #expect {
            try ModelConfig.read(folderOrFile: directory.path)
        } throws: { error in
            "\(error)".contains(kind)
        }
    }

    /// Integral offsets and shape entries written with a fraction or an exponent are refused as
    /// such (they used to be "too large").
    @Test(arguments: [("4.0", "4 is written with a fraction or an exponent (4.0); it must be a plain integer"),
                      ("4e0", "4 is written with a fraction or an exponent (4.0); it must be a plain integer"),
                      ("40E-1", "4 is written with a fraction or an exponent (4.0); it must be a plain integer"),
                      ("0.0", "0 is written with a fraction or an exponent (0.0); it must be a plain integer"),
                      ("1e19", "1e+19 is too large"), ("2.5", "2.5 is not an integer"), ("-4.0", "-4.0 is not an integer")])
    func floatWrittenIntegersAreNamedAsSuch(text: String, problem: String) throws {
        let directory = try TemporaryDirectory()
        let offsets = #"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,\#(text)]}}"#
        let shape = #"{"a":{"dtype":"U8","shape":[\#(text)],"data_offsets":[0,4]}}"#
        let offsetsFile = try directory.write("o.safetensors", bytes: RawSafetensors.file(header: offsets, data: [1, 2, 3, 4]))
        let shapeFile = try directory.write("s.safetensors", bytes: RawSafetensors.file(header: shape, data: [1, 2, 3, 4]))
        #expect(throws: PretrainedError.invalidTensorInfo(file: offsetsFile, tensor: "a", reason: "has data_offsets entry \(problem)")) {
            try SafetensorsFile(path: offsetsFile)
        }
        #expect(throws: PretrainedError.invalidShape(file: shapeFile, tensor: "a", reason: "shape entry \(problem)")) {
            try SafetensorsFile(path: shapeFile)
        }
    }

    /// An index of many entries no shard holds is refused in time linear in its entries: four
    /// times the entries may take at most ten times as long (a quadratic path takes sixteen; the
    /// margin over four is for cache effects and a shared machine).
    @Test func aHugeIndexIsRefusedInLinearTime() throws {
        let directory = try TemporaryDirectory()
        try directory.copy(fixture: "models/GPT2Model/model.safetensors", as: "model.safetensors")
        func write(entries: Int, to name: String) throws {
            var text = #"{"weight_map": {"#
            for i in 0..<entries { text += (i == 0 ? "" : ",") + #""ghost.\#(i).weight": "model.safetensors""# }
            try directory.write(name, text: text + "}}")
        }
        try write(entries: 50_000, to: "small.json")
        try write(entries: 200_000, to: "large.json")
        // Timed in turns, best of five each, so that a busy machine slows both alike.
        var (small, large) = (Double.infinity, Double.infinity)
        for _ in 0..<5 {
            for (name, best) in [("small.json", 0), ("large.json", 1)] {
                let start = monotonicSeconds()
                #expect(throws: PretrainedError.self) { try OpenedCheckpoint.open(Checkpoint.resolve(directory.file(name))) }
                let elapsed = monotonicSeconds() - start
                if best == 0 { small = min(small, elapsed) } else { large = min(large, elapsed) }
            }
        }
        print("index of 50,000 and 200,000 ghost entries refused in \(small) s and \(large) s (ratio \(large / small))")
        #expect(large / small < 10, "ratio \(large / small)")
    }
}
