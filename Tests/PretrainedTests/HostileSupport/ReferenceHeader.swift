import PretrainedFuzzTargets
@testable import Pretrained

/// The decision the library made before its header parse became one streaming pass: the whole
/// document parsed into a tree and walked (`HeaderTreeReference`), then the layout checks, which
/// the streaming pass left unchanged.
enum ReferenceHeader {
    enum Parser {
        /// `HeaderTreeReference`, then the layout checks.
        case tree
        /// `SafetensorsHeader.parse`.
        case streaming
    }

    /// The outcome of parsing a file image's header with `parser`, or `nil` when its length
    /// prefix already fails (then no parser runs).
    static func outcome(_ parser: Parser, fileImage: [UInt8], file: String = "x.safetensors")
        -> Result<SafetensorsHeader, PretrainedError>? {
        fileImage.withUnsafeBytes { image in
            guard let length = try? SafetensorsHeader.headerLength(prefix: image, fileSize: image.count, file: file) else {
                return nil
            }
            let json = UnsafeRawBufferPointer(rebasing: image[8..<(8 + length)])
            switch parser {
            case .streaming:
                return Result { () throws(PretrainedError) in try SafetensorsHeader.parse(json: json, fileSize: image.count, file: file) }
            case .tree:
                return HeaderTreeReference.entries(json: json, file: file).flatMap { entries in
                    Result { () throws(PretrainedError) in
                        try SafetensorsHeader(validating: HeaderReader.Entries(tensors: entries.tensors, metadata: entries.metadata),
                                              headerLength: length, fileSize: image.count, file: file)
                    }
                }
            }
        }
    }

    /// Whether two outcomes are the same: no parse, the same error, or headers with the same
    /// tensors and metadata, names and texts compared as bytes.
    static func same(_ a: Result<SafetensorsHeader, PretrainedError>?, _ b: Result<SafetensorsHeader, PretrainedError>?) -> Bool {
        switch (a, b) {
        case (nil, nil):
            return true
        case (.failure(let x)?, .failure(let y)?):
            return x == y
        case (.success(let x)?, .success(let y)?):
            func bytes(_ header: SafetensorsHeader) -> [[UInt8]] {
                header.tensors.map { Array($0.name.utf8) }
                    + header.metadata.map { Array($0.key.utf8) + [0xFF] + Array($0.value.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
            }
            return x.tensors == y.tensors && x.metadata == y.metadata && x.headerLength == y.headerLength && bytes(x) == bytes(y)
        default:
            return false
        }
    }
}
