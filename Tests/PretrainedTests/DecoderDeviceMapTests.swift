import Testing
@testable import Pretrained

/// `MetaModel.inferDeviceMap` against `accelerate` 1.15 on the decoder configs
/// (`configs/expected_device_maps_decoders.json`): tied heads, per-layer-type rotary buffers,
/// fused experts, keep-in-F32 norms, MLA, hybrid layers.
@Suite struct DecoderDeviceMapTests {
    static let cases: [DeviceMapConformanceTests.Case] = {
        guard let all = try? Fixtures.json("configs/expected_device_maps_decoders.json")["cases"]?.arrayValue else { return [] }
        return all.enumerated().map { DeviceMapConformanceTests.Case(index: $0.offset, json: $0.element) }
    }()

    @Test func everyReferenceCaseIsLoaded() {
        #expect(Self.cases.count >= 7)
    }

    @Test(arguments: cases)
    func deviceMapMatchesAccelerate(_ testCase: DeviceMapConformanceTests.Case) throws {
        try DeviceMapConformanceTests().deviceMapMatchesAccelerate(testCase)
    }
}
