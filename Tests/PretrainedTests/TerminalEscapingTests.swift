import Foundation
import Testing
@testable import Pretrained

/// Text from files never reaches the terminal raw (SECURITY.md, "Text from files on the
/// terminal"): `TerminalText` is the one escaping function, and every output of the command goes
/// through it (`printOutput`, `printErrorLine`, `TextTable`).
@Suite struct TerminalEscapingTests {
    /// Scalars a hostile name is drawn from: every kind `TerminalText` escapes, and safe ones.
    static let hostileScalars: [Unicode.Scalar] = [
        "\u{0}", "\u{7}", "\u{8}", "\t", "\n", "\u{B}", "\u{C}", "\r", "\u{1B}", "\u{1F}", "\u{7F}", "\u{80}", "\u{85}",
        "\u{9B}", "\u{9F}", "\u{61C}", "\u{200E}", "\u{2028}", "\u{2029}", "\u{202E}", "\u{2066}", "\u{FEFF}",
    ]
    static let safeScalars: [Unicode.Scalar] = ["a", "Z", "0", ".", " ", "[", "\\", "'", "\"", "é", "\u{A0}", "ß", "漢", "🙂", "\u{200B}"]

    static let seed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["ESCAPE_SEED"], let value = UInt64(text) { return value }
        return UInt64.random(in: 0...UInt64(UInt32.max))
    }()

    static func randomText(_ random: inout SplitMix64, hostile: Bool = true) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...24, using: &random) {
            let pool = hostile && Bool.random(using: &random) ? hostileScalars : safeScalars
            text.unicodeScalars.append(pool[Int.random(in: 0..<pool.count, using: &random)])
        }
        return text
    }

    /// Whether `text` holds nothing a terminal would act on (`newlines`: line feeds allowed).
    static func isInert(_ text: String, newlines: Bool = false) -> Bool {
        text.unicodeScalars.allSatisfy { !TerminalText.isUnsafe($0) || (newlines && $0 == "\n") }
    }

    @Test func escapedTextIsInertOneLineAndIdempotent() {
        print("TerminalEscapingTests seed: \(Self.seed) (ESCAPE_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed)
        for _ in 0..<2000 {
            let text = Self.randomText(&random)
            let escaped = TerminalText.escaped(text)
            #expect(Self.isInert(escaped), "\(text.debugDescription)")
            #expect(TerminalText.escaped(escaped) == escaped, "\(text.debugDescription)")
            let lines = TerminalText.escapedLines(text)
            #expect(Self.isInert(lines, newlines: true))
            #expect(lines.split(separator: "\n", omittingEmptySubsequences: false).count
                    == text.split(separator: "\n", omittingEmptySubsequences: false).count)
            let safe = Self.randomText(&random, hostile: false)
            #expect(TerminalText.escaped(safe) == safe)
            #expect(TerminalText.escaped(bytes: Array(text.utf8)) == escaped)
        }
    }

    @Test func invalidUTF8BytesAreEscapedOneByOne() {
        print("TerminalEscapingTests seed: \(Self.seed) (ESCAPE_SEED=\(Self.seed) replays it)")
        #expect(TerminalText.escaped(bytes: [0x61, 0xFF, 0xE2, 0x82, 0x62, 0xC0, 0xAF, 0x1B]) == "a\\xFF\\xE2\\x82b\\xC0\\xAF\\u{1B}")
        var random = SplitMix64(seed: Self.seed ^ 0xB17E5)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...32, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let escaped = TerminalText.escaped(bytes: bytes)
            #expect(Self.isInert(escaped), "\(bytes)")
            if let valid = String(validating: bytes, as: UTF8.self) {
                #expect(escaped == TerminalText.escaped(valid))
            }
        }
    }

    /// `TerminalText.json` keeps a document's value: serialized, escaped and parsed back, every
    /// string is the one written.
    @Test func escapedJSONIsTheSameValue() throws {
        print("TerminalEscapingTests seed: \(Self.seed) (ESCAPE_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed ^ 0x15_0A)
        for _ in 0..<500 {
            let value = JSONValue.object([(key: Self.randomText(&random), value: .array([.string(Self.randomText(&random))]))])
            for pretty in [false, true] {
                let document = TerminalText.json(value.serialized(pretty: pretty))
                #expect(Self.isInert(document, newlines: true))
                let parsed = try JSONParser.parse(Array(document.utf8))
                #expect(parsed == value)
            }
        }
    }

    // MARK: The command

    static let names = [
        "evil\u{1B}[2J\u{1B}]0;owned\u{7}", "line\nerror: forged", "nul\u{0}byte", "csi\u{9B}31m", "rtl\u{202E}txt.exe",
        "del\u{7F}", "cr\rover", "tab\tbed",
    ]

    /// The GPT-2 fixture with one extra tensor per hostile name (unexpected keys in the report).
    static func checkpointWithHostileNames(extra names: [String] = names) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let source = Fixtures.path("models/GPT2Model")
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: directory.file("config.json"))
        var tensors = try SafetensorsFile(path: source + "/model.safetensors").tensors()
        for name in names { tensors.append(try Tensor(name: name, dtype: .f32, shape: [1], bytes: [0, 0, 128, 63])) }
        try SafetensorsWriter.write(tensors, to: directory.file("model.safetensors"))
        return directory
    }

    /// Every human-readable output over hostile tensor names: nothing a terminal acts on, and
    /// every hostile name on exactly one line.
    @Test(arguments: [["inspect"], ["load"], ["inspect", "--model"], ["load", "--copy"]])
    func humanReadableOutputIsInert(command: [String]) throws {
        let directory = try Self.checkpointWithHostileNames()
        let result = try CommandResult.run(command + [directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.isInert(result.stdout, newlines: true))
        #expect(Self.isInert(result.stderr, newlines: true))
        #expect(!result.stdout.contains("\nerror: forged"))
        if !command.contains("--model") {
            for name in Self.names {
                #expect(result.stdout.contains(TerminalText.escaped(name)), "\(name.debugDescription)")
            }
        }
    }

    /// JSON output over hostile names: inert, and the names come back exactly.
    @Test(arguments: [["inspect", "--json"], ["load", "--json"]])
    func jsonOutputIsInertAndExact(command: [String]) throws {
        let directory = try Self.checkpointWithHostileNames()
        let result = try CommandResult.run(command + [directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.isInert(result.stdout, newlines: true))
        let document = try JSONParser.parse(Array(result.stdout.utf8))
        var strings: Set<String> = []
        func collect(_ value: JSONValue) {
            switch value {
            case .string(let text): strings.insert(text)
            case .array(let items): items.forEach(collect)
            case .object(let members): members.forEach { strings.insert($0.key); collect($0.value) }
            default: break
            }
        }
        collect(document)
        for name in Self.names { #expect(strings.contains(name), "\(name.debugDescription)") }
    }

    /// Errors whose message carries file text: always one `error:` line, inert.
    @Test func errorLinesAreOneInertLine() throws {
        print("TerminalEscapingTests seed: \(Self.seed) (ESCAPE_SEED=\(Self.seed) replays it)")
        var random = SplitMix64(seed: Self.seed ^ 0xE77)
        var hostile = Self.names
        for _ in 0..<4 { hostile.append("x" + Self.randomText(&random)) }
        for name in hostile {
            // An unknown architecture named by the config.
            let directory = try HostileConfigTests.checkpoint(
                config: HostileConfigTests.setting("architectures", to: JSONValue.array([.string(name)]).serialized(pretty: false)))
            // A missing shard named by an index, a tensor absent from its shard.
            let index = JSONValue.object([(key: "weight_map", value: .object([(key: name, value: .string(name + ".safetensors"))]))])
            try directory.write("model.safetensors.index.json", text: index.serialized(pretty: false))
            let indexPath = directory.file("model.safetensors.index.json")
            for arguments in [["load", directory.file("model.safetensors")], ["inspect", indexPath], ["load", directory.path + "/" + name]] {
                let result = try CommandResult.run(arguments)
                #expect(result.status == 1, "\(arguments) \(result.stderr.debugDescription)")
                #expect(result.stderr.hasPrefix("error: "), "\(result.stderr.debugDescription)")
                #expect(result.stderr.filter { $0 == "\n" }.count == 1 && result.stderr.hasSuffix("\n"),
                        "\(name.debugDescription): \(result.stderr.debugDescription)")
                #expect(Self.isInert(result.stderr, newlines: true), "\(result.stderr.debugDescription)")
            }
        }
    }
}
