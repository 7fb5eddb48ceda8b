/// Bit-level conversions between `Float` and the 16-bit float formats, matching PyTorch's
/// (`c10::Half`, `c10::BFloat16`): widening is exact, narrowing rounds to nearest, ties to even.
/// Portable to every platform, including those without Swift's `Float16`.
enum HalfFloat {
    /// IEEE binary16 bits to `Float`, exactly (subnormals, infinities and NaN payloads kept).
    @inline(__always)
    static func widen(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = UInt32(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa x 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 31:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// `Float` to IEEE binary16 bits, rounding to nearest even; NaN becomes the quiet NaN 0x7E00.
    @inline(__always)
    static func narrow(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude > 0x7F80_0000 { return sign | 0x7E00 }  // NaN
        if magnitude >= 0x477F_F000 { return sign | 0x7C00 }  // rounds to infinity
        if magnitude < 0x3880_0000 {
            // Below the smallest normal: a subnormal (scaling by 2^24 is exact).
            let scaled = (Float(bitPattern: magnitude) * 0x1p24).rounded(.toNearestOrEven)
            return sign | UInt16(scaled)
        }
        let mantissa = magnitude & 0x7F_FFFF
        var half = ((magnitude >> 23) - 112) << 10 | mantissa >> 13
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }
}

enum BrainFloat {
    /// bfloat16 bits to `Float`, exactly.
    @inline(__always)
    static func widen(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `Float` to bfloat16 bits, rounding to nearest even; NaN becomes 0x7FC0 (as PyTorch does).
    @inline(__always)
    static func narrow(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let bias = (bits >> 16) & 1 + 0x7FFF
        return UInt16(truncatingIfNeeded: (bits &+ bias) >> 16)
    }
}
