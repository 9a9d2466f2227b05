import Packet

/// OXM classes (`ofp_oxm_class`).
public enum OXMClass {
    public static let nxm0: UInt16 = 0x0000
    public static let nxm1: UInt16 = 0x0001
    public static let openFlowBasic: UInt16 = 0x8000
    public static let experimenter: UInt16 = 0xFFFF
}

extension FlowField {
    /// `OFPXMT_OFB_*` number of this field in class 0x8000.
    public var oxmField: UInt8 {
        switch self {
        case .inPort: 0
        case .metadata: 2
        case .ethDst: 3
        case .ethSrc: 4
        case .ethType: 5
        case .vlanVID: 6
        case .vlanPCP: 7
        case .ipDSCP: 8
        case .ipECN: 9
        case .ipProto: 10
        case .ipv4Src: 11
        case .ipv4Dst: 12
        case .tcpSrc: 13
        case .tcpDst: 14
        case .udpSrc: 15
        case .udpDst: 16
        case .icmpv4Type: 19
        case .icmpv4Code: 20
        case .arpOp: 21
        case .arpSPA: 22
        case .arpTPA: 23
        case .arpSHA: 24
        case .arpTHA: 25
        case .ipv6Src: 26
        case .ipv6Dst: 27
        case .icmpv6Type: 29
        case .icmpv6Code: 30
        case .tunnelID: 38
        }
    }

    /// Bytes of the OXM payload (value only, without mask).
    public var oxmLength: Int {
        switch self {
        case .vlanPCP, .ipDSCP, .ipECN, .ipProto, .icmpv4Type, .icmpv4Code, .icmpv6Type, .icmpv6Code: 1
        case .ethType, .vlanVID, .tcpSrc, .tcpDst, .udpSrc, .udpDst, .arpOp: 2
        case .inPort, .ipv4Src, .ipv4Dst, .arpSPA, .arpTPA: 4
        case .ethDst, .ethSrc, .arpSHA, .arpTHA: 6
        case .metadata, .tunnelID: 8
        case .ipv6Src, .ipv6Dst: 16
        }
    }

    /// The 32-bit OXM header (class, field, hasmask, length) for this field.
    public func oxmHeader(hasMask: Bool = false) -> UInt32 {
        UInt32(OXMClass.openFlowBasic) << 16 | UInt32(oxmField) << 9 | (hasMask ? 1 << 8 : 0)
            | UInt32(hasMask ? 2 * oxmLength : oxmLength)
    }

    /// The field for an `OFPXMT_OFB_*` number, nil for fields this codec does not carry
    /// (in_phy_port, sctp, ipv6_flabel, nd, mpls, pbb, ipv6_exthdr).
    @inline(__always)
    public init?(oxmField: UInt8) {
        switch oxmField {
        case 0: self = .inPort
        case 2: self = .metadata
        case 3: self = .ethDst
        case 4: self = .ethSrc
        case 5: self = .ethType
        case 6: self = .vlanVID
        case 7: self = .vlanPCP
        case 8: self = .ipDSCP
        case 9: self = .ipECN
        case 10: self = .ipProto
        case 11: self = .ipv4Src
        case 12: self = .ipv4Dst
        case 13: self = .tcpSrc
        case 14: self = .tcpDst
        case 15: self = .udpSrc
        case 16: self = .udpDst
        case 19: self = .icmpv4Type
        case 20: self = .icmpv4Code
        case 21: self = .arpOp
        case 22: self = .arpSPA
        case 23: self = .arpTPA
        case 24: self = .arpSHA
        case 25: self = .arpTHA
        case 26: self = .ipv6Src
        case 27: self = .ipv6Dst
        case 29: self = .icmpv6Type
        case 30: self = .icmpv6Code
        case 38: self = .tunnelID
        default: return nil
        }
    }

    /// The bits a value of this field may have (its width; vlan_vid includes OFPVID_PRESENT).
    /// The same as `fullMask`, computed here where the compiler can inline it.
    var oxmValueMask: FieldValue {
        switch self {
        case .ipv6Src, .ipv6Dst: FieldValue(high: ~0, low: ~0)
        case .metadata, .tunnelID: FieldValue(~0)
        case .ethDst, .ethSrc, .arpSHA, .arpTHA: FieldValue(0xFFFF_FFFF_FFFF)
        case .inPort, .ipv4Src, .ipv4Dst, .arpSPA, .arpTPA: FieldValue(0xFFFF_FFFF)
        case .ethType, .tcpSrc, .tcpDst, .udpSrc, .udpDst, .arpOp: FieldValue(0xFFFF)
        case .vlanVID: FieldValue(0x1FFF)
        case .ipProto, .icmpv4Type, .icmpv4Code, .icmpv6Type, .icmpv6Code: FieldValue(0xFF)
        case .ipDSCP: FieldValue(0x3F)
        case .vlanPCP: FieldValue(0x7)
        case .ipECN: FieldValue(0x3)
        }
    }

    /// Set-field cannot write it: the ingress port is a pipeline field the packet cannot change.
    public var isReadOnly: Bool { self == .inPort }
}

/// One OXM TLV of the OpenFlow basic class: a field, its value and an optional mask.
///
/// `vlan_vid` values carry OFPVID_PRESENT (0x1000) as the spec lays them out.
public struct OXMField: Hashable, Sendable, CustomStringConvertible {
    public var field: FlowField
    public var value: FieldValue
    /// Nil for an exact match; bits set in the mask must match.
    public var mask: FieldValue?

    public init(_ field: FlowField, _ value: FieldValue, mask: FieldValue? = nil) {
        self.field = field; self.value = value; self.mask = mask
    }

    public init(_ field: FlowField, _ value: UInt64, mask: UInt64? = nil) {
        self.init(field, FieldValue(value), mask: mask.map { FieldValue($0) })
    }

    public static func inPort(_ port: UInt32) -> OXMField { OXMField(.inPort, UInt64(port)) }
    public static func metadata(_ v: UInt64, mask: UInt64? = nil) -> OXMField { OXMField(.metadata, v, mask: mask) }
    public static func ethDst(_ mac: MACAddress, mask: MACAddress? = nil) -> OXMField {
        OXMField(.ethDst, mac.rawValue, mask: mask?.rawValue)
    }
    public static func ethSrc(_ mac: MACAddress, mask: MACAddress? = nil) -> OXMField {
        OXMField(.ethSrc, mac.rawValue, mask: mask?.rawValue)
    }
    public static func ethType(_ t: UInt16) -> OXMField { OXMField(.ethType, UInt64(t)) }
    /// A tagged frame with this VLAN id (OFPVID_PRESENT is added).
    public static func vlanVID(_ vid: UInt16) -> OXMField { OXMField(.vlanVID, UInt64(OFP.vidPresent | (vid & 0xFFF))) }
    /// Any tagged frame (0x1000/0x1000).
    public static let vlanAny = OXMField(.vlanVID, UInt64(OFP.vidPresent), mask: UInt64(OFP.vidPresent))
    /// Untagged frames only.
    public static let vlanNone = OXMField(.vlanVID, UInt64(OFP.vidNone))
    public static func ipProto(_ p: UInt8) -> OXMField { OXMField(.ipProto, UInt64(p)) }
    public static func ipv4Src(_ a: IPv4Address, prefix: Int = 32) -> OXMField {
        OXMField(.ipv4Src, UInt64(a.rawValue), mask: prefix >= 32 ? nil : UInt64(prefixMask32(prefix)))
    }
    public static func ipv4Dst(_ a: IPv4Address, prefix: Int = 32) -> OXMField {
        OXMField(.ipv4Dst, UInt64(a.rawValue), mask: prefix >= 32 ? nil : UInt64(prefixMask32(prefix)))
    }
    public static func ipv6Src(_ a: IPv6Address, mask: IPv6Address? = nil) -> OXMField {
        OXMField(.ipv6Src, FieldValue(high: a.high, low: a.low), mask: mask.map { FieldValue(high: $0.high, low: $0.low) })
    }
    public static func ipv6Dst(_ a: IPv6Address, mask: IPv6Address? = nil) -> OXMField {
        OXMField(.ipv6Dst, FieldValue(high: a.high, low: a.low), mask: mask.map { FieldValue(high: $0.high, low: $0.low) })
    }
    public static func tcpSrc(_ p: UInt16) -> OXMField { OXMField(.tcpSrc, UInt64(p)) }
    public static func tcpDst(_ p: UInt16) -> OXMField { OXMField(.tcpDst, UInt64(p)) }
    public static func udpSrc(_ p: UInt16) -> OXMField { OXMField(.udpSrc, UInt64(p)) }
    public static func udpDst(_ p: UInt16) -> OXMField { OXMField(.udpDst, UInt64(p)) }
    public static func tunnelID(_ id: UInt64, mask: UInt64? = nil) -> OXMField { OXMField(.tunnelID, id, mask: mask) }

    /// Bytes of this TLV on the wire: 4-byte header, value, mask.
    public var encodedLength: Int { 4 + field.oxmLength * (mask == nil ? 1 : 2) }

    /// True when the mask is absent or all ones.
    public var isExact: Bool { mask == nil || mask == field.fullMask }

    public var description: String {
        let v = field.bitWidth == 128 ? "0x\(String(value.high, radix: 16))\(hex64(value.low))" : "0x" + String(value.low, radix: 16)
        guard let m = mask else { return "\(field.rawValue)=\(v)" }
        let ms = field.bitWidth == 128 ? "0x\(String(m.high, radix: 16))\(hex64(m.low))" : "0x" + String(m.low, radix: 16)
        return "\(field.rawValue)=\(v)/\(ms)"
    }

    @inline(__always)
    func encode(into w: inout ByteWriter) {
        let width = field.oxmLength, header = field.oxmHeader(hasMask: mask != nil)
        w.fixed(encodedLength) { o in
            o.u32(0, header)
            o.value(4, value, width: width)
            if let mask { o.value(4 + width, mask, width: width) }
        }
    }
}

func prefixMask32(_ prefix: Int) -> UInt32 {
    prefix <= 0 ? 0 : ~UInt32(0) << UInt32(32 - min(prefix, 32))
}

private func hex64(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// Where an OXM TLV is being read: a match and a set-field action name their problems with
/// different error codes.
enum OXMContext {
    case match, setField

    func error(_ m: OFBadMatchCode, _ a: OFBadActionCode) -> OFErrorCode {
        self == .match ? .badMatch(m) : .badAction(a)
    }
}

extension OXMField {
    /// Reads one TLV, checking only its shape: class, field and length. Bytes this codec
    /// encoded always pass, whatever values they hold; `validate` judges those.
    ///
    /// Good TLVs take one combined test; which check failed, and the words for it, are worked
    /// out out of line (`shapeError`). With the errors inline the function spilled most of its
    /// registers on every call and cost 150 instructions a TLV.
    static func parse(from r: inout ByteReader, context: OXMContext) throws(OFDecodeError) -> OXMField {
        let tlv = try readParts(from: &r, context: context)
        return OXMField(tlv.field, tlv.value, mask: tlv.mask)
    }

    /// What `parse` reads, as parts rather than a value: the match decoder checks them where
    /// they lie and makes a value only of a TLV it refuses. Transparent, as `field(ofHeader:)`
    /// is: marked `@inline(__always)`, it stayed out of line (1,740 instructions per FLOW_MOD
    /// decoded instead of 1,658).
    @_transparent
    static func readParts(from r: inout ByteReader, context: OXMContext)
        throws(OFDecodeError) -> (field: FlowField, value: FieldValue, mask: FieldValue?) {
        guard let header = r.peekU32(), let field = field(ofHeader: header, available: r.remaining) else {
            throw shapeError(r, context: context)
        }
        let tlv = try r.fixed(4 + Int(header & 0xFF), "OXM")
        let width = field.oxmLength
        return (field, tlv.value(4, width: width), header & 0x100 != 0 ? tlv.value(4 + width, width: width) : nil)
    }

    /// The field of a TLV header whose class, field and length are right and whose payload fits
    /// in the `available` bytes the header starts; nil otherwise (`shapeError` says which).
    ///
    /// Transparent: marked `@inline(__always)`, it was still called out of line from the match
    /// loop, at 27 instructions a TLV plus the spills around the call.
    @_transparent
    static func field(ofHeader header: UInt32, available: Int) -> FlowField? {
        let hasMask = header & 0x100 != 0
        let length = Int(header & 0xFF)
        guard header >> 16 == UInt32(OXMClass.openFlowBasic),
              let field = FlowField(oxmField: UInt8(truncatingIfNeeded: header >> 9) & 0x7F),
              length == (hasMask ? 2 * field.oxmLength : field.oxmLength),
              length <= available - 4 else { return nil }
        return field
    }

    /// What is wrong with the TLV at `r` that `parse` refused, checked in the order the
    /// errors take precedence: truncation, overrun, class and field, then length.
    @inline(never)
    static func shapeError(_ r: ByteReader, context: OXMContext) -> OFDecodeError {
        let lengthError = context.error(.badLen, .badSetLen)
        guard let header = r.peekU32() else { return OFDecodeError(lengthError, "OXM header truncated") }
        let oxmClass = UInt16(header >> 16)
        let number = UInt8((header >> 9) & 0x7F)
        let length = Int(header & 0xFF)
        guard length <= r.remaining - 4 else { return OFDecodeError(lengthError, "OXM payload overruns its container") }
        guard oxmClass == OXMClass.openFlowBasic, let field = FlowField(oxmField: number) else {
            return OFDecodeError(context.error(.badField, .badSetType),
                                 "unsupported OXM class 0x\(String(oxmClass, radix: 16)) field \(number)")
        }
        return OFDecodeError(lengthError, "OXM \(field.rawValue) length \(length)")
    }

    /// Checks what the spec asks of a field's use, value and mask where it appears. One
    /// combined test for good fields; `validationError` names the problem otherwise.
    func validate(context: OXMContext) throws(OFDecodeError) {
        if !Self.isValid(field, value, mask: mask, context: context) { throw validationError(context: context) }
    }

    /// The test `validate` makes, on a TLV's parts (the match decoder checks TLVs where they lie).
    @inline(__always)
    static func isValid(_ field: FlowField, _ value: FieldValue, mask: FieldValue?, context: OXMContext) -> Bool {
        let full = field.oxmValueMask
        var ok = value.high & ~full.high == 0 && value.low & ~full.low == 0
        if let mask {
            ok = ok && context == .match && field.isMaskable
                && mask.high & ~full.high == 0 && mask.low & ~full.low == 0
                && value.high & ~mask.high == 0 && value.low & ~mask.low == 0
        } else if context == .setField {
            ok = ok && !field.isReadOnly
        } else if field == .vlanVID {
            ok = ok && (value.low == 0 || value.low & UInt64(OFP.vidPresent) != 0)
        }
        return ok
    }

    /// The error `validate` throws, in the order the checks take precedence.
    @inline(never)
    func validationError(context: OXMContext) -> OFDecodeError {
        if context == .setField {
            if field.isReadOnly { return OFDecodeError(.badAction(.badSetType), "set-field of read-only \(field.rawValue)") }
            if mask != nil { return OFDecodeError(.badAction(.badSetArgument), "set-field \(field.rawValue) with a mask") }
        } else if mask != nil && !field.isMaskable {
            return OFDecodeError(.badMatch(.badMask), "\(field.rawValue) is not maskable")
        }
        let full = field.oxmValueMask
        if value.high & ~full.high != 0 || value.low & ~full.low != 0 {
            return OFDecodeError(context.error(.badValue, .badSetArgument), "\(field.rawValue) value out of range")
        }
        if let mask {
            if mask.high & ~full.high != 0 || mask.low & ~full.low != 0 {
                return OFDecodeError(.badMatch(.badMask), "\(field.rawValue) mask wider than the field")
            }
            return OFDecodeError(.badMatch(.badWildcards), "\(field.rawValue) value has bits outside its mask")
        }
        // A VID without OFPVID_PRESENT names neither "untagged" nor any tagged frame.
        return OFDecodeError(.badMatch(.badValue), "vlan_vid without OFPVID_PRESENT")
    }
}
