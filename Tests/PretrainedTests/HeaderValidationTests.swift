import Testing
@testable import Pretrained

/// One test per validation rule of the reference implementation, each asserting its error case.
@Suite struct HeaderValidationTests {
    /// Writes `bytes` to a file and opens it with each backend and with the header-only reader:
    /// each must throw `expected(path)`, or succeed when that is `nil`.
    func check(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation,
               _ expected: (String) -> PretrainedError?) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.safetensors", bytes: bytes)
        let openers: [(String, () throws(PretrainedError) -> Void)] = [
            ("mmap", { () throws(PretrainedError) in _ = try SafetensorsFile(path: path, backend: .mmap) }),
            ("pread", { () throws(PretrainedError) in _ = try SafetensorsFile(path: path, backend: .pread) }),
            ("header", { () throws(PretrainedError) in _ = try SafetensorsFile.readHeader(path: path) }),
        ]
        for (name, open) in openers {
            var error: PretrainedError?
            do { try open() } catch let caught { error = caught }
            #expect(error == expected(path), "\(name)", sourceLocation: sourceLocation)
        }
    }

    /// The error thrown for a header of `JSON` text, when it is `headerInvalidJSON`.
    func invalidJSONError(_ header: String) throws -> Bool {
        let directory = try TemporaryDirectory()
        let path = try directory.write("bad.safetensors", bytes: RawSafetensors.file(header: header))
        do {
            _ = try SafetensorsFile(path: path)
            return false
        } catch {
            if case .headerInvalidJSON = error { return true }
            return false
        }
    }

    let f32x2 = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
    let eight = [UInt8](repeating: 7, count: 8)

    @Test func validFileOpens() throws {
        try check(RawSafetensors.file(header: f32x2, data: eight)) { _ in nil }
        // Trailing spaces after the JSON object are allowed (the writer pads with them).
        try check(RawSafetensors.file(header: f32x2 + "   ", data: eight)) { _ in nil }
    }

    @Test func fileShorterThanTheLengthPrefix() throws {
        try check([1, 0, 0]) { .fileTooSmall(file: $0, size: 3) }
        try check([]) { .fileTooSmall(file: $0, size: 0) }
    }

    @Test func headerLengthOverTheLimit() throws {
        let bytes = RawSafetensors.file(header: f32x2, data: eight, length: 100_000_001)
        try check(bytes) { .headerTooLarge(file: $0, length: 100_000_001) }
    }

    @Test func headerLengthBeyondTheFile() throws {
        let bytes = RawSafetensors.file(header: f32x2, data: eight, length: 1000)
        try check(bytes) { .headerBeyondFile(file: $0, length: 1000, fileSize: bytes.count) }
        let huge = RawSafetensors.file(header: "{}", length: UInt64.max)
        try check(huge) { .headerTooLarge(file: $0, length: UInt64.max) }
    }

    @Test func headerTooShortForJSON() throws {
        try check(RawSafetensors.file(header: "{")) { .headerTooSmall(file: $0, length: 1) }
        try check(RawSafetensors.file(header: "")) { .headerTooSmall(file: $0, length: 0) }
    }

    @Test func headerNotUTF8() throws {
        let bytes = RawSafetensors.file(headerBytes: Array(#"{"a\#u{0}":1}"#.utf8).map { $0 == 0 ? 0xFF : $0 })
        try check(bytes) { .headerNotUTF8(file: $0) }
    }

    @Test func headerNotStartingWithBrace() throws {
        try check(RawSafetensors.file(header: " {}")) { .headerInvalidStart(file: $0) }
        try check(RawSafetensors.file(header: "[1]")) { .headerInvalidStart(file: $0) }
    }

    @Test func headerInvalidJSON() throws {
        for header in [#"{"a":}"#, #"{"a":{"dtype":"F32",}}"#, "{}x", #"{"a":"\q"}"#, "{\"a\":\"\u{1}\"}",
                       #"{"a":"\ud800"}"#, String(repeating: "[", count: 200)] {
            #expect(try invalidJSONError("{" + header.dropFirst()), "\(header)")
        }
    }

    @Test func metadataMustMapStringsToStrings() throws {
        let header = #"{"__metadata__":{"format":1}}"#
        try check(RawSafetensors.file(header: header)) { .invalidMetadata(file: $0, reason: "entry 'format' is not a string") }
        try check(RawSafetensors.file(header: #"{"__metadata__":[]}"#)) { .invalidMetadata(file: $0, reason: "is not an object") }
        // An empty header with only metadata is a valid file of no tensors.
        try check(RawSafetensors.file(header: #"{"__metadata__":{"format":"pt"}}"#)) { _ in nil }
    }

    @Test func duplicateTensorNames() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try check(RawSafetensors.file(header: header, data: eight)) { .duplicateTensor(file: $0, tensor: "a") }
    }

    @Test func tensorEntryWithMissingOrMistypedFields() throws {
        let missing = #"{"a":{"dtype":"F32","shape":[2]}}"#
        try check(RawSafetensors.file(header: missing, data: eight)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "has no 'data_offsets' pair") }
        let notObject = #"{"a":[1,2]}"#
        try check(RawSafetensors.file(header: notObject)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "is not a JSON object") }
        let dtypeNumber = #"{"a":{"dtype":5,"shape":[2],"data_offsets":[0,8]}}"#
        try check(RawSafetensors.file(header: dtypeNumber, data: eight)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "has no string 'dtype'") }
    }

    /// As serde's derived deserializer: an array or object of the wrong type is refused at its
    /// first byte, so each header here ends right after it (nothing past it is read); a scalar of
    /// the wrong type is read first, and a malformed one is invalid JSON.
    @Test func wrongTypesAreRefusedAtTheirFirstByte() throws {
        try check(RawSafetensors.file(header: #"{"a":["#)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "is not a JSON object") }
        try check(RawSafetensors.file(header: #"{"a":{"dtype":["#)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "has no string 'dtype'") }
        try check(RawSafetensors.file(header: #"{"a":{"shape":{"#)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "has no array 'shape'") }
        try check(RawSafetensors.file(header: #"{"a":{"shape":[1,[["#)) { .invalidShape(file: $0, tensor: "a", reason: "shape entry [...] is not a number") }
        try check(RawSafetensors.file(header: #"{"a":{"data_offsets":{"#)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "has no 'data_offsets' pair") }
        try check(RawSafetensors.file(header: #"{"a":{"data_offsets":[{"#)) {
            .invalidTensorInfo(file: $0, tensor: "a", reason: "has data_offsets entry {...} is not a number")
        }
        try check(RawSafetensors.file(header: #"{"__metadata__":["#)) { .invalidMetadata(file: $0, reason: "is not an object") }
        try check(RawSafetensors.file(header: #"{"__metadata__":{"k":{"#)) { .invalidMetadata(file: $0, reason: "entry 'k' is not a string") }
        // A scalar is read before its type is judged, and nothing after it.
        try check(RawSafetensors.file(header: #"{"a":{"dtype":5,"#)) { .invalidTensorInfo(file: $0, tensor: "a", reason: "has no string 'dtype'") }
        try check(RawSafetensors.file(header: #"{"a":{"dtype":5.}}"#)) { .headerInvalidJSON(file: $0, reason: "invalid number at byte 16") }
        #expect(try invalidJSONError(#"{"a":{"dtype":tru}}"#))
    }

    @Test func unknownDType() throws {
        let header = #"{"a":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}}"#
        try check(RawSafetensors.file(header: header, data: eight)) { .unknownDType(file: $0, tensor: "a", dtype: "F128") }
    }

    @Test func negativeFractionalAndNonNumericShapes() throws {
        for (shape, reason) in [("[-2]", "shape entry -2 is negative"), ("[2.5]", "shape entry 2.5 is not an integer"),
                                ("[\"2\"]", "shape entry \"2\" is not a number"),
                                ("[18446744073709551616]", "shape entry 1.8446744073709552e+19 is too large")] {
            let header = #"{"a":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,8]}}"#
            try check(RawSafetensors.file(header: header, data: eight)) { .invalidShape(file: $0, tensor: "a", reason: reason) }
        }
    }

    @Test func shapeWhoseSizeOverflows() throws {
        let header = #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
        try check(RawSafetensors.file(header: header, data: eight)) { .sizeOverflow(file: $0, tensor: "a") }
        let bits = #"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#
        try check(RawSafetensors.file(header: bits, data: eight)) { .sizeOverflow(file: $0, tensor: "a") }
    }

    @Test func subByteTensorNotEndingOnAByte() throws {
        let header = #"{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#
        try check(RawSafetensors.file(header: header, data: [0, 0])) { .partialByte(file: $0, tensor: "a", bits: 12) }
        let six = #"{"a":{"dtype":"F6_E2M3","shape":[2],"data_offsets":[0,2]}}"#
        try check(RawSafetensors.file(header: six, data: [0, 0])) { .partialByte(file: $0, tensor: "a", bits: 12) }
    }

    @Test func reversedOffsets() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#
        try check(RawSafetensors.file(header: header, data: eight)) { .offsetsReversed(file: $0, tensor: "a", begin: 8, end: 0) }
    }

    @Test func holeBetweenTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        try check(RawSafetensors.file(header: header, data: eight + eight)) { .offsetsHole(file: $0, tensor: "b", expected: 4, found: 8) }
        let leading = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try check(RawSafetensors.file(header: leading, data: eight)) { .offsetsHole(file: $0, tensor: "a", expected: 0, found: 4) }
    }

    @Test func overlappingTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        try check(RawSafetensors.file(header: header, data: eight)) { .offsetsOverlap(file: $0, tensor: "b", expected: 8, found: 4) }
    }

    @Test func byteCountDisagreesWithShape() throws {
        let header = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        try check(RawSafetensors.file(header: header, data: eight)) { .byteCountMismatch(file: $0, tensor: "a", expected: 12, actual: 8) }
    }

    @Test func dataSectionLongerOrShorterThanTheTensors() throws {
        try check(RawSafetensors.file(header: f32x2, data: eight + [1])) { .dataSizeMismatch(file: $0, expected: 8, actual: 9) }
        try check(RawSafetensors.file(header: f32x2, data: [1, 2, 3])) { .dataSizeMismatch(file: $0, expected: 8, actual: 3) }
    }

    @Test func tensorDataNeedNotBeAligned() throws {
        // A 3-byte header puts the data at offset 11: views must still read correctly.
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} "#
        let bytes = RawSafetensors.file(header: header, data: [0, 0, 0xC0, 0x3F])
        let directory = try TemporaryDirectory()
        let path = try directory.write("odd.safetensors", bytes: bytes)
        #expect(try SafetensorsFile(path: path).tensor(named: "a").scalars(as: Float.self) == [1.5])
    }
}
