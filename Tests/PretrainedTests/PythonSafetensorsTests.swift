import Testing
@testable import Pretrained

/// Files written by Python's `safetensors` (see `scripts/make_fixtures.py`) read back with the
/// names, dtypes, shapes, offsets and bytes Python recorded.
@Suite struct PythonSafetensorsTests {
    @Test(arguments: ["all_dtypes", "core_dtypes", "no_metadata", "with_metadata"], ReadBackend.allCases)
    func filesWrittenByPythonReadBackExactly(name: String, backend: ReadBackend) throws {
        let expected = try Fixtures.json("python-safetensors/\(name).expected.json")
        let file = try SafetensorsFile(path: Fixtures.path("python-safetensors/\(name).safetensors"), backend: backend)
        let expectedMetadata = (expected["metadata"]?.objectValue ?? []).map { ($0.key, $0.value.stringValue ?? "") }
        #expect(file.metadata == Dictionary(uniqueKeysWithValues: expectedMetadata))
        let tensors = try #require(expected["tensors"]?.arrayValue)
        #expect(file.header.tensors.count == tensors.count)
        for entry in tensors {
            let name = try #require(entry["name"]?.stringValue)
            let tensor = try file.tensor(named: name)
            #expect(tensor.dtype.rawValue == entry["dtype"]?.stringValue, "\(name)")
            #expect(tensor.shape.map(JSONValue.int) == entry["shape"]?.arrayValue, "\(name)")
            #expect(tensor.sha256() == entry["sha256"]?.stringValue, "\(name)")
            let info = try #require(file.header.tensor(named: name))
            #expect([JSONValue.int(info.dataOffsets.lowerBound), .int(info.dataOffsets.upperBound)]
                == entry["data_offsets"]?.arrayValue, "\(name)")
        }
    }

    @Test func rewritingAPythonFileKeepsEveryTensor() throws {
        let source = try SafetensorsFile(path: Fixtures.path("python-safetensors/all_dtypes.safetensors"))
        let directory = try TemporaryDirectory()
        let copy = directory.file("copy.safetensors")
        try SafetensorsWriter.write(try source.tensors(), metadata: source.metadata, to: copy)
        let reread = try SafetensorsFile(path: copy)
        for original in try source.tensors() {
            let tensor = try reread.tensor(named: original.name)
            #expect(tensor.bytes == original.bytes && tensor.shape == original.shape && tensor.dtype == original.dtype)
        }
    }
}
