/// `transformers`' key order for loading (`dot_natural_key`): dotted parts compared as numbers
/// when both are numeric, else as strings.
package enum NaturalOrder {
    package static func less(_ a: String, _ b: String) -> Bool {
        less(parts(a), parts(b))
    }

    /// `items` sorted by `name` in this order (stable), each name split once rather than at
    /// every comparison (which made sorting long names cost allocations per comparison).
    package static func sorted<T>(_ items: [T], by name: (T) -> String) -> [T] {
        let keyed = items.map { (item: $0, parts: parts(name($0))) }
        return keyed.sorted { less($0.parts, $1.parts) }.map(\.item)
    }

    /// A name's components, each with its value when it is a number.
    static func parts(_ name: String) -> [(text: Substring, number: Int?)] {
        name.split(separator: ".", omittingEmptySubsequences: false).map { ($0, Int($0)) }
    }

    static func less(_ a: [(text: Substring, number: Int?)], _ b: [(text: Substring, number: Int?)]) -> Bool {
        var left = a.makeIterator()
        var right = b.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?):
                if x.text == y.text { continue }
                if let m = x.number, let n = y.number { return m < n }
                if x.number != nil { return true }
                if y.number != nil { return false }
                return x.text < y.text
            }
        }
    }
}
