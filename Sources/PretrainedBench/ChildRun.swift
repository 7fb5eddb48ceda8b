import Foundation

/// One case run in its own process, so that peak memory and page-cache effects of one case do
/// not pollute another.
struct ChildResult {
    var seconds: Double
    var bytes: Int
    /// Peak resident memory of the child (`VmHWM`), in bytes.
    var peakResident: Int
    /// Anonymous resident memory at the end, with the loaded model alive (`RssAnon`), in bytes.
    var anonymousResident: Int
    /// Anonymous resident memory before the case ran.
    var anonymousBefore: Int

    var json: String {
        "{\"seconds\":\(seconds),\"bytes\":\(bytes),\"peak\":\(peakResident),\"anon\":\(anonymousResident),\"anon_before\":\(anonymousBefore)}"
    }

    init(seconds: Double, bytes: Int, peakResident: Int, anonymousResident: Int, anonymousBefore: Int) {
        self.seconds = seconds
        self.bytes = bytes
        self.peakResident = peakResident
        self.anonymousResident = anonymousResident
        self.anonymousBefore = anonymousBefore
    }

    init?(line: String) {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seconds = object["seconds"] as? Double, let bytes = object["bytes"] as? Int,
              let peak = object["peak"] as? Int, let anon = object["anon"] as? Int,
              let before = object["anon_before"] as? Int else { return nil }
        self.init(seconds: seconds, bytes: bytes, peakResident: peak, anonymousResident: anon, anonymousBefore: before)
    }

    /// Runs `benchCase` in this process and prints the result line (the child side).
    static func runHere(_ benchCase: BenchCase, context: BenchContext) throws -> ChildResult {
        // Fresh memory costs the same in every case, whatever ran before it (`backFreeMemory`):
        // twice the checkpoint, for the F32 conversion.
        try Kernels.backFreeMemory(2 * context.plainBytes + (256 << 20))
        try benchCase.setUp(context)
        // The peak resident column is the case's own: forget the setUp's peak (`clear_refs` 5).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let before = ProcStatus.read("RssAnon")
        let start = Clock.now()
        let bytes = try benchCase.run(context)
        let seconds = Clock.now() - start
        return ChildResult(seconds: seconds, bytes: bytes, peakResident: ProcStatus.read("VmHWM"),
                           anonymousResident: ProcStatus.read("RssAnon"), anonymousBefore: before)
    }

    /// Runs `name` in a child process of this executable (the parent side).
    static func spawn(_ name: String, arguments: [String]) throws -> ChildResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.executablePath)
        process.arguments = ["--child", name] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, let line = text.split(separator: "\n").last,
              let result = ChildResult(line: String(line)) else {
            throw BenchError("case \(name) failed: \(String(decoding: message, as: UTF8.self))")
        }
        // A case's notes (the bytes a rank read and its bound) reach the terminal.
        FileHandle.standardError.write(message)
        return result
    }
}

enum ProcStatus {
    /// A `kB` field of `/proc/self/status`, in bytes (0 where unavailable).
    static func read(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let digits = line.split(separator: " ").compactMap { Int($0) }
            return (digits.first ?? 0) * 1024
        }
        return 0
    }
}

enum Clock {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension CommandLine {
    /// The absolute path of the running executable.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
