import Testing
@testable import Pretrained

@Suite struct DTypeTests {
    @Test func everySpecDTypeHasItsBitSize() {
        let expected: [String: Int] = [
            "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8,
            "F8_E8M0": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
            "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64, "U64": 64,
        ]
        #expect(Set(DType.allCases.map(\.rawValue)) == Set(expected.keys))
        for dtype in DType.allCases {
            #expect(dtype.bitSize == expected[dtype.rawValue], "\(dtype)")
        }
    }

    @Test func byteCountRejectsPartialBytesAndOverflow() {
        #expect(DType.f4.byteCount(elements: 3) == nil)
        #expect(DType.f4.byteCount(elements: 4) == 2)
        #expect(DType.f6e2m3.byteCount(elements: 4) == 3)
        #expect(DType.f32.byteCount(elements: Int.max / 2) == nil)
        #expect(DType.f32.byteCount(elements: 0) == 0)
    }

    @Test func halfConversionsRoundToNearestEven() {
        #expect(HalfFloat.narrow(1.0) == 0x3C00)
        #expect(HalfFloat.narrow(65504) == 0x7BFF)
        #expect(HalfFloat.narrow(65520) == 0x7C00)  // halfway to infinity rounds to even (infinity)
        #expect(HalfFloat.narrow(65519) == 0x7BFF)
        #expect(HalfFloat.narrow(0x1p-24) == 0x0001)
        #expect(HalfFloat.narrow(0x1p-25) == 0x0000)  // halfway between 0 and the smallest subnormal: even
        #expect(HalfFloat.narrow(-0.0) == 0x8000)
        #expect(HalfFloat.narrow(.nan) == 0x7E00)
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to the even mantissa (1.0).
        #expect(HalfFloat.narrow(1 + 0x1p-11) == 0x3C00)
        #expect(HalfFloat.narrow(1 + 0x1p-10 + 0x1p-11) == 0x3C02)
        for bits in UInt16.min...UInt16.max where (bits & 0x7C00) != 0x7C00 || (bits & 0x3FF) == 0 {
            #expect(HalfFloat.narrow(HalfFloat.widen(bits)) == bits)
        }
    }

    @Test func bfloatConversionsRoundToNearestEven() {
        #expect(BrainFloat.narrow(1.0) == 0x3F80)
        #expect(BrainFloat.narrow(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even stays
        #expect(BrainFloat.narrow(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, odd rounds up
        #expect(BrainFloat.narrow(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(BrainFloat.narrow(.nan) == 0x7FC0)
        #expect(BrainFloat.narrow(.infinity) == 0x7F80)
        for bits in stride(from: 0, through: 0xFFFF, by: 1) where (bits & 0x7F80) != 0x7F80 {
            #expect(BrainFloat.narrow(BrainFloat.widen(UInt16(bits))) == UInt16(bits))
        }
    }
}
