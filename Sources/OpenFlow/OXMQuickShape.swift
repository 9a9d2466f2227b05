/// The shape of the usual OXM basic TLVs, as bit sets and nibbles indexed by field number, so
/// the match decoder can check one where it lies without making it a `FlowField` first.
///
/// Covers fields 0..<32 whose values fill their bytes (every field but vlan_vid, vlan_pcp,
/// ip_dscp and ip_ecn, whose values have bits that must be zero) and their masks. Anything else,
/// and any TLV these checks refuse, goes the general way (`OXMField.readParts`, `isValid`),
/// which decides and names the error. The constants are `FlowField`'s facts written out; a
/// test compares them with `oxmLength`, `isMaskable` and `oxmValueMask` for every number.
///
/// Through `FlowField`, each TLV cost three jump tables and a 128-bit value, about 95
/// instructions; here about 50 (decoding a FLOW_MOD went from 1,364 to 1,223 instructions when
/// this came in).
enum OXMQuickShape {
    /// Field numbers below 32 taken here.
    static let plain: UInt64 = 0x6FF9_FC3D
    /// Of those, the maskable ones.
    static let maskable: UInt64 = 0x0FC1_F85C
    /// Value width minus one, a nibble per field: fields 0..<16, then 16..<32.
    static let widthMinusOneLow: UInt64 = 0x1113_3000_0015_5703
    static let widthMinusOneHigh: UInt64 = 0x0000_FF55_3310_0001

    /// The TLV's total length (header, value, mask) when `header` is a plain field with the
    /// length its width asks for (twice that with a mask, only where a mask is allowed) and the
    /// TLV fits in the `available` bytes it starts; nil otherwise.
    @inline(__always)
    static func length(ofHeader header: UInt32, available: Int) -> Int? {
        let number = (header >> 9) & 0x7F
        guard header >> 16 == UInt32(OXMClass.openFlowBasic), number < 32, plain >> UInt64(number) & 1 != 0 else { return nil }
        let nibbles = number < 16 ? widthMinusOneLow : widthMinusOneHigh
        let width = UInt32(truncatingIfNeeded: nibbles >> UInt64(4 * (number & 15))) & 0xF + 1
        let hasMask = header & 0x100 != 0
        guard header & 0xFF == (hasMask ? 2 * width : width),
              !hasMask || maskable >> UInt64(number) & 1 != 0 else { return nil }
        let length = 4 + Int(header & 0xFF)
        return length <= available ? length : nil
    }

    /// Whether a masked TLV's value has no bit outside its mask (OFPBMC_BAD_WILDCARDS otherwise).
    @inline(__always)
    static func valueWithinMask(_ tlv: UnsafeRawPointer, width: Int) -> Bool {
        var outside: UInt8 = 0
        for i in 0..<width {
            outside |= tlv.load(fromByteOffset: 4 + i, as: UInt8.self) & ~tlv.load(fromByteOffset: 4 + width + i, as: UInt8.self)
        }
        return outside == 0
    }
}
