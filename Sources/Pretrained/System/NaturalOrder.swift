/// `transformers`' key order for loading (`dot_natural_key`): dotted parts compared as numbers
/// when both are numeric, else as strings.
package enum NaturalOrder {
    package static func less(_ a: String, _ b: String) -> Bool {
        var left = a.split(separator: ".", omittingEmptySubsequences: false).makeIterator()
        var right = b.split(separator: ".", omittingEmptySubsequences: false).makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?):
                if x == y { continue }
                if let m = Int(x), let n = Int(y) { return m < n }
                if Int(x) != nil { return true }
                if Int(y) != nil { return false }
                return x < y
            }
        }
    }
}
