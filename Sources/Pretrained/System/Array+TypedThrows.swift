// The standard library's `withUnsafe*Bytes` rethrow untyped errors; these keep the error type.

extension Array where Element == UInt8 {
    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeBytes { buffer in Result { () throws(E) in try body(buffer) } }.get()
    }

    mutating func withMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeMutableBytes { buffer in Result { () throws(E) in try body(buffer) } }.get()
    }
}

func withBytes<T, R, E: Error>(of value: inout T, _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try withUnsafeMutableBytes(of: &value) { buffer in Result { () throws(E) in try body(buffer) } }.get()
}
