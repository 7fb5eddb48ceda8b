import Pretrained

/// Checks the safetensors header rules on a whole file image held in memory.
public enum HeaderOracle {
    /// Validates `fileImage` as `SafetensorsFile` does (length prefix, then header), checks the
    /// outcome against the tree reference (`checkAgainstTree`) and an accepted header's invariants.
    public static func check(fileImage: UnsafeRawBufferPointer) throws(InvariantViolation) -> FuzzOutcome {
        let name = "fuzz.safetensors"
        let length: Int
        do {
            length = try SafetensorsHeader.headerLength(prefix: fileImage, fileSize: fileImage.count, file: name)
        } catch {
            return .rejected(error.description)
        }
        try require(length >= 2 && 8 + length <= fileImage.count, "header length \(length) outside the file")
        let json = UnsafeRawBufferPointer(rebasing: fileImage[8..<(8 + length)])
        let outcome = Result { () throws(PretrainedError) in
            try SafetensorsHeader.parse(json: json, fileSize: fileImage.count, file: name)
        }
        try checkAgainstTree(outcome, json: json, file: name)
        switch outcome {
        case .failure(let error):
            return .rejected(error.description)
        case .success(let header):
            try checkInvariants(header, fileSize: fileImage.count)
            return .accepted
        }
    }

    /// The promises a parsed header makes: tensors sorted, back to back from byte 0 to the end of
    /// the file, each range exactly its dtype and shape's size, names distinct and findable.
    public static func checkInvariants(_ header: SafetensorsHeader, fileSize: Int) throws(InvariantViolation) {
        try require(header.headerLength >= 2, "header length \(header.headerLength) below 2")
        try require(header.dataStart + header.dataLength == fileSize,
                    "data ends at \(header.dataStart + header.dataLength), file has \(fileSize) bytes")
        var position = 0
        var names = Set<[UInt8]>()
        for info in header.tensors {
            try require(info.name != "__metadata__", "a tensor is named __metadata__")
            try require(names.insert(Array(info.name.utf8)).inserted, "tensor '\(info.name)' listed twice")
            try require(info.dataOffsets.lowerBound == position,
                        "tensor '\(info.name)' starts at \(info.dataOffsets.lowerBound), expected \(position)")
            position = info.dataOffsets.upperBound
            var elements = 1
            for dimension in info.shape {
                try require(dimension >= 0, "tensor '\(info.name)' has a negative dimension")
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                try require(!overflow, "tensor '\(info.name)' element count overflows")
                elements = product
            }
            try require(info.elementCount == elements, "elementCount of '\(info.name)' disagrees")
            let bytes = info.dtype.byteCount(elements: elements)
            try require(bytes == info.byteCount,
                        "tensor '\(info.name)' covers \(info.byteCount) bytes, dtype and shape need \(String(describing: bytes))")
            try require(header.tensor(named: info.name) == info, "tensor(named: '\(info.name)') finds another entry")
        }
        try require(position == header.dataLength, "dataLength \(header.dataLength) is not the last tensor's end")
    }
}
