/// The OpenFlow 1.3 match fields the flow key holds, named as in the specification's OXM list.
/// Values are carried as a 128-bit pair (`high` used only by the IPv6 addresses).
public enum FlowField: String, CaseIterable, Hashable, Sendable {
    case inPort = "in_port"
    case metadata
    case ethDst = "eth_dst", ethSrc = "eth_src", ethType = "eth_type"
    case vlanVID = "vlan_vid", vlanPCP = "vlan_pcp"
    case ipDSCP = "ip_dscp", ipECN = "ip_ecn", ipProto = "ip_proto"
    case ipv4Src = "ipv4_src", ipv4Dst = "ipv4_dst"
    case tcpSrc = "tcp_src", tcpDst = "tcp_dst", udpSrc = "udp_src", udpDst = "udp_dst"
    case icmpv4Type = "icmpv4_type", icmpv4Code = "icmpv4_code"
    case arpOp = "arp_op", arpSPA = "arp_spa", arpTPA = "arp_tpa", arpSHA = "arp_sha", arpTHA = "arp_tha"
    case ipv6Src = "ipv6_src", ipv6Dst = "ipv6_dst"
    case icmpv6Type = "icmpv6_type", icmpv6Code = "icmpv6_code"
    case tunnelID = "tunnel_id"

    /// Width of the field in bits.
    public var bitWidth: Int {
        switch self {
        case .inPort, .ipv4Src, .ipv4Dst, .arpSPA, .arpTPA: 32
        case .metadata, .tunnelID: 64
        case .ethDst, .ethSrc, .arpSHA, .arpTHA: 48
        case .ethType, .tcpSrc, .tcpDst, .udpSrc, .udpDst, .arpOp: 16
        case .vlanVID: 13
        case .vlanPCP: 3
        case .ipDSCP: 6
        case .ipECN: 2
        case .ipProto, .icmpv4Type, .icmpv4Code, .icmpv6Type, .icmpv6Code: 8
        case .ipv6Src, .ipv6Dst: 128
        }
    }

    /// All-ones value for this field's width (low 64 bits; IPv6 uses both halves).
    public var fullMask: FieldValue {
        switch bitWidth {
        case 128: FieldValue(high: ~0, low: ~0)
        case 64: FieldValue(~0)
        default: FieldValue((1 << UInt64(bitWidth)) - 1)
        }
    }

    /// The fields OpenFlow lets a flow wildcard bit by bit (OXM "maskable").
    public var isMaskable: Bool {
        switch self {
        case .metadata, .ethDst, .ethSrc, .vlanVID, .ipv4Src, .ipv4Dst, .arpSPA, .arpTPA, .arpSHA, .arpTHA,
             .ipv6Src, .ipv6Dst, .tunnelID:
            true
        // Open vSwitch also takes masks on transport ports; so do we.
        case .tcpSrc, .tcpDst, .udpSrc, .udpDst:
            true
        default:
            false
        }
    }
}

/// A field value up to 128 bits wide.
public struct FieldValue: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64
    @inlinable public init(_ low: UInt64) { self.high = 0; self.low = low }
    @inlinable public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
    public static let zero = FieldValue(0)
}

extension FlowKey {
    /// Reads a field as a value.
    @inlinable public subscript(field: FlowField) -> FieldValue {
        get {
            switch field {
            case .inPort: FieldValue(UInt64(inPort))
            case .metadata: FieldValue(metadata)
            case .ethDst: FieldValue(ethDst.rawValue)
            case .ethSrc: FieldValue(ethSrc.rawValue)
            case .ethType: FieldValue(UInt64(ethType))
            case .vlanVID: FieldValue(UInt64(vlanVID))
            case .vlanPCP: FieldValue(UInt64(vlanPCP))
            case .ipDSCP: FieldValue(UInt64(ipDSCP))
            case .ipECN: FieldValue(UInt64(ipECN))
            case .ipProto: FieldValue(UInt64(ipProto))
            case .ipv4Src, .arpSPA: FieldValue(UInt64(ipv4Src.rawValue))
            case .ipv4Dst, .arpTPA: FieldValue(UInt64(ipv4Dst.rawValue))
            case .tcpSrc, .udpSrc: FieldValue(UInt64(tpSrc))
            case .tcpDst, .udpDst: FieldValue(UInt64(tpDst))
            case .icmpv4Type, .icmpv6Type: FieldValue(UInt64(icmpType))
            case .icmpv4Code, .icmpv6Code: FieldValue(UInt64(icmpCode))
            case .arpOp: FieldValue(UInt64(arpOp))
            case .arpSHA: FieldValue(arpSHA.rawValue)
            case .arpTHA: FieldValue(arpTHA.rawValue)
            case .ipv6Src: FieldValue(high: ipv6Src.high, low: ipv6Src.low)
            case .ipv6Dst: FieldValue(high: ipv6Dst.high, low: ipv6Dst.low)
            case .tunnelID: FieldValue(tunnelID)
            }
        }
        set {
            let v = newValue.low
            switch field {
            case .inPort: inPort = UInt32(truncatingIfNeeded: v)
            case .metadata: metadata = v
            case .ethDst: ethDst = MACAddress(rawValue: v)
            case .ethSrc: ethSrc = MACAddress(rawValue: v)
            case .ethType: ethType = UInt16(truncatingIfNeeded: v)
            case .vlanVID: vlanVID = UInt16(truncatingIfNeeded: v)
            case .vlanPCP: vlanPCP = UInt8(truncatingIfNeeded: v)
            case .ipDSCP: ipDSCP = UInt8(truncatingIfNeeded: v)
            case .ipECN: ipECN = UInt8(truncatingIfNeeded: v)
            case .ipProto: ipProto = UInt8(truncatingIfNeeded: v)
            case .ipv4Src, .arpSPA: ipv4Src = IPv4Address(rawValue: UInt32(truncatingIfNeeded: v))
            case .ipv4Dst, .arpTPA: ipv4Dst = IPv4Address(rawValue: UInt32(truncatingIfNeeded: v))
            case .tcpSrc, .udpSrc: tpSrc = UInt16(truncatingIfNeeded: v)
            case .tcpDst, .udpDst: tpDst = UInt16(truncatingIfNeeded: v)
            case .icmpv4Type, .icmpv6Type: icmpType = UInt8(truncatingIfNeeded: v)
            case .icmpv4Code, .icmpv6Code: icmpCode = UInt8(truncatingIfNeeded: v)
            case .arpOp: arpOp = UInt16(truncatingIfNeeded: v)
            case .arpSHA: arpSHA = MACAddress(rawValue: v)
            case .arpTHA: arpTHA = MACAddress(rawValue: v)
            case .ipv6Src: ipv6Src = IPv6Address(high: newValue.high, low: v)
            case .ipv6Dst: ipv6Dst = IPv6Address(high: newValue.high, low: v)
            case .tunnelID: tunnelID = v
            }
        }
    }
}
