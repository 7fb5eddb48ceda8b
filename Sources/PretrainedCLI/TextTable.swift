import Pretrained

/// Plain-text tables and sizes for human-readable output.
enum TextTable {
    /// Columns padded to their widest cell, two spaces apart; `rightAligned` columns align right.
    static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let all = ([header] + rows).map { $0.map(TerminalText.escaped) }  // one cell, one line
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Byte counts for people: 1,024-based units with one decimal (`12.3 MiB`).
enum ByteCount {
    static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
