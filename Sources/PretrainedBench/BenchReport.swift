import Foundation
import Pretrained

/// One case's runs.
struct BenchRow {
    var benchCase: BenchCase
    var results: [ChildResult]

    var seconds: [Double] { results.map(\.seconds).sorted() }
    var median: Double { let s = seconds; return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
    var bytes: Int { results.first?.bytes ?? 0 }
    var gigabytesPerSecond: Double { median > 0 ? Double(bytes) / median / 1e9 : 0 }
    var peak: Int { results.map(\.peakResident).max() ?? 0 }
    var anonymousGrowth: Int { results.map { $0.anonymousResident - $0.anonymousBefore }.max() ?? 0 }
}

/// The table and JSON of a run.
struct BenchReport {
    var checkpoint: BenchCheckpoint
    var rows: [BenchRow]
    var runs: Int

    func ratio(_ row: BenchRow) -> Double? {
        guard let limit = row.benchCase.limit, let base = rows.first(where: { $0.benchCase.name == limit }),
              row.median > 0 else { return nil }
        return base.median / row.median
    }

    var table: String {
        var lines = ["checkpoint: \(checkpoint.directory) (\(checkpoint.size.rawValue)), \(runs) runs per case, median [min-max]", ""]
        let header = ["case", "what", "median", "spread", "GB/s", "x limit", "peak RSS", "anon +"]
        let body = rows.map { row -> [String] in
            let s = row.seconds
            return [row.benchCase.name, row.benchCase.title, Self.time(row.median),
                    "\(Self.time(s.first ?? 0))-\(Self.time(s.last ?? 0))",
                    String(format: "%.2f", row.gigabytesPerSecond),
                    ratio(row).map { String(format: "%.2f (%@)", $0, row.benchCase.limit ?? "") } ?? "",
                    Self.mebibytes(row.peak), Self.mebibytes(row.anonymousGrowth)]
        }
        let all = [header] + body
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        lines += all.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return lines.joined(separator: "\n")
    }

    var json: JSONValue {
        .object([
            (key: "checkpoint", value: .string(checkpoint.directory)),
            (key: "size", value: .string(checkpoint.size.rawValue)),
            (key: "runs", value: .int(runs)),
            (key: "cases", value: .array(rows.map { row in
                .object([
                    (key: "name", value: .string(row.benchCase.name)), (key: "title", value: .string(row.benchCase.title)),
                    (key: "seconds", value: .array(row.seconds.map(JSONValue.double))),
                    (key: "median_seconds", value: .double(row.median)), (key: "bytes", value: .int(row.bytes)),
                    (key: "gb_per_s", value: .double(row.gigabytesPerSecond)),
                    (key: "limit", value: row.benchCase.limit.map(JSONValue.string) ?? .null),
                    (key: "ratio_to_limit", value: ratio(row).map(JSONValue.double) ?? .null),
                    (key: "peak_rss_bytes", value: .int(row.peak)), (key: "anon_growth_bytes", value: .int(row.anonymousGrowth)),
                ])
            })),
        ])
    }

    static func time(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.3f s", seconds)
    }

    static func mebibytes(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
}
