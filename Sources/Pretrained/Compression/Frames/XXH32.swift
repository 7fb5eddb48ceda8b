/// XXH32 (xxHash, 32 bits) of inputs shorter than 16 bytes: what an lz4 frame header's checksum
/// byte covers (its descriptor: flags, block size, content size, dictionary id).
enum XXH32 {
    private static let prime1: UInt32 = 2_654_435_761
    private static let prime2: UInt32 = 2_246_822_519
    private static let prime3: UInt32 = 3_266_489_917
    private static let prime4: UInt32 = 668_265_263
    private static let prime5: UInt32 = 374_761_393

    /// The hash of `bytes`, which must be shorter than 16 bytes.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        precondition(bytes.count < 16, "only the short-input path of XXH32 is implemented")
        var hash = seed &+ prime5 &+ UInt32(bytes.count)
        var index = 0
        while bytes.count - index >= 4 {
            let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
            hash = rotate(hash &+ word &* prime3, 17) &* prime4
            index += 4
        }
        while index < bytes.count {
            hash = rotate(hash &+ UInt32(bytes[index]) &* prime5, 11) &* prime1
            index += 1
        }
        hash ^= hash >> 15
        hash = hash &* prime2
        hash ^= hash >> 13
        hash = hash &* prime3
        hash ^= hash >> 16
        return hash
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
        value << count | value >> (32 - count)
    }
}
