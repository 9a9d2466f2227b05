/// Where the headers of a parsed frame start, for actions that rewrite them in place.
/// Offsets are from the start of the frame; -1 means the header is absent.
public struct FrameLayout: Hashable, Sendable {
    /// Number of VLAN tags (the first one starts at offset 12, its TPID in the ethertype slot).
    public var vlanCount: Int16 = 0
    public var l3Offset: Int16 = -1
    public var l4Offset: Int16 = -1
    /// End of the L3 packet as bounded by its length field (Ethernet padding excluded), or -1.
    public var l3End: Int32 = -1

    @inlinable public init() {}
}

/// The outcome of one pass over a frame: the flow key, the header offsets and how far it got.
public struct ParsedFrame: Sendable {
    public var key: FlowKey
    public var layout: FrameLayout
    public var status: ParseStatus

    @inlinable public init(key: FlowKey, layout: FrameLayout, status: ParseStatus) {
        self.key = key; self.layout = layout; self.status = status
    }
}

extension FlowKey {
    /// Extracts the key from a frame in one pass. Never reads past `frame`; a truncated or
    /// malformed frame yields the partial key of the layers before the bad one and a status
    /// naming that layer.
    @inlinable
    public static func extract(from frame: UnsafeRawBufferPointer, inPort: UInt32,
                               tunnelID: UInt64 = 0, metadata: UInt64 = 0) -> ParsedFrame {
        var key = FlowKey()
        key.inPort = inPort
        key.tunnelID = tunnelID
        key.metadata = metadata
        var layout = FrameLayout()
        let status = extractHeaders(frame, &key, &layout)
        return ParsedFrame(key: key, layout: layout, status: status)
    }

    @inlinable @inline(__always)
    static func extractHeaders(_ f: UnsafeRawBufferPointer, _ key: inout FlowKey,
                               _ layout: inout FrameLayout) -> ParseStatus {
        let n = f.count
        guard n >= 14 else { return .truncated(.ethernet) }
        key.words[0] = f.mac(0).rawValue
        key.words[1] = f.mac(6).rawValue
        var type = f.be16(12)
        var offset = 14
        if EtherType.isVLANTag(type) {
            guard n >= 18 else { return .truncated(.vlan) }
            key.vlanTCI = f.be16(14) | FlowKey.vlanPresent
            type = f.be16(16)
            offset = 18
            layout.vlanCount = 1
            // Further tags (QinQ and beyond) are skipped: OpenFlow 1.3 matches the outer one.
            while EtherType.isVLANTag(type) {
                guard n >= offset + 4 else { key.ethType = type; return .truncated(.vlan) }
                type = f.be16(offset + 2)
                offset += 4
                layout.vlanCount += 1
            }
        }
        key.ethType = type
        layout.l3Offset = Int16(truncatingIfNeeded: offset)
        let l3 = f.suffix(from: offset)
        switch type {
        case EtherType.ipv4: return extractIPv4(l3, offset, &key, &layout)
        case EtherType.ipv6: return extractIPv6(l3, offset, &key, &layout)
        case EtherType.arp: return extractARP(l3, &key)
        default: return .ok
        }
    }

    @inlinable @inline(__always)
    static func extractARP(_ p: UnsafeRawBufferPointer, _ key: inout FlowKey) -> ParseStatus {
        guard p.count >= ARPPacket.length else { return .truncated(.arp) }
        guard p.be32(0) == 0x0001_0800, p.be16(4) == 0x0604 else { return .malformed(.arp) }
        key.arpOp = p.be16(6)
        key.arpSHA = p.mac(8)
        key.arpSPA = IPv4Address(rawValue: p.be32(14))
        key.arpTHA = p.mac(18)
        key.arpTPA = IPv4Address(rawValue: p.be32(24))
        return .ok
    }

    @inlinable @inline(__always)
    static func extractIPv4(_ p: UnsafeRawBufferPointer, _ base: Int, _ key: inout FlowKey,
                            _ layout: inout FrameLayout) -> ParseStatus {
        guard p.count >= 20 else { return .truncated(.ipv4) }
        let vihl = p[0]
        guard vihl >> 4 == 4, vihl & 0xF >= 5 else { return .malformed(.ipv4) }
        let headerLength = Int(vihl & 0xF) &* 4
        guard p.count >= headerLength else { return .truncated(.ipv4) }
        let tos = p[1]
        let proto = p[9]
        key.ipDSCP = tos >> 2
        key.ipECN = tos & 3
        key.ipProto = proto
        key.words[2] = key.words[2] & 0xFFFF_FFFF | UInt64(p.be32(12)) << 32
        key.words[3] = key.words[3] & ~0xFFFF_FFFF | UInt64(p.be32(16))
        let fragmentWord = p.be16(6)
        let fragmentOffset = fragmentWord & 0x1FFF
        if fragmentWord & 0x3FFF != 0 {
            key.ipFragment = fragmentOffset != 0 ? 3 : 1
        }
        let totalLength = Int(p.be16(2))
        let end = max(headerLength, min(totalLength, p.count))
        layout.l3End = Int32(base + end)
        layout.l4Offset = Int16(truncatingIfNeeded: base + headerLength)
        if fragmentOffset != 0 { return .ok }  // later fragments carry no L4 header
        return extractL4(proto, p.slice(headerLength, end - headerLength), icmpLayer: .icmpv4, &key)
    }

    @inlinable @inline(__always)
    static func extractIPv6(_ p: UnsafeRawBufferPointer, _ base: Int, _ key: inout FlowKey,
                            _ layout: inout FrameLayout) -> ParseStatus {
        guard p.count >= 40 else { return .truncated(.ipv6) }
        let first = p.be32(0)
        guard first >> 28 == 6 else { return .malformed(.ipv6) }
        let tc = UInt8(truncatingIfNeeded: first >> 20)
        key.ipDSCP = tc >> 2
        key.ipECN = tc & 3
        key.words[5] = p.be64(8); key.words[6] = p.be64(16)
        key.words[7] = p.be64(24); key.words[8] = p.be64(32)
        var nh = p[6]
        var offset = 40
        var laterFragment = false
        var steps = 0
        while IPv6Header.isExtension(nh) {
            steps += 1
            guard steps <= 64, p.count >= offset + 8 else { return .truncated(.ipv6) }
            let length: Int
            if nh == IPProtocol.fragment {
                let fo = p.be16(offset + 2)
                laterFragment = fo >> 3 != 0
                key.ipFragment = laterFragment ? 3 : 1
                length = 8
            } else {
                length = (Int(p[offset + 1]) + 1) << 3
            }
            guard p.count >= offset + length else { return .truncated(.ipv6) }
            nh = p[offset]
            offset += length
        }
        key.ipProto = nh
        let end = min(40 + Int(p.be16(4)), p.count)
        layout.l3End = Int32(base + max(end, offset))
        layout.l4Offset = Int16(truncatingIfNeeded: base + offset)
        if laterFragment { return .ok }
        return extractL4(nh, p.slice(offset, max(end, offset) - offset), icmpLayer: .icmpv6, &key)
    }

    @inlinable @inline(__always)
    static func extractL4(_ proto: UInt8, _ p: UnsafeRawBufferPointer, icmpLayer: ProtocolLayer,
                          _ key: inout FlowKey) -> ParseStatus {
        switch proto {
        case IPProtocol.tcp:
            guard p.count >= 20 else { return .truncated(.tcp) }
            let dataOffset = Int(p[12] >> 4)
            guard dataOffset >= 5 else { return .malformed(.tcp) }
            guard p.count >= dataOffset &* 4 else { return .truncated(.tcp) }
            key.tpSrc = p.be16(0); key.tpDst = p.be16(2)
        case IPProtocol.udp:
            guard p.count >= 8 else { return .truncated(.udp) }
            key.tpSrc = p.be16(0); key.tpDst = p.be16(2)
        case IPProtocol.icmp where icmpLayer == .icmpv4, IPProtocol.icmpv6 where icmpLayer == .icmpv6:
            guard p.count >= 4 else { return .truncated(icmpLayer) }
            key.icmpType = p[0]; key.icmpCode = p[1]
            if icmpLayer == .icmpv6 && p.count >= 24 && (p[0] == 135 || p[0] == 136) {
                extractNDOptions(p, &key)
            }
        default:
            break
        }
        return .ok
    }

    /// Neighbour discovery link-layer options go where ARP's hardware addresses do (OVS's nd_sll/nd_tll).
    @inlinable
    static func extractNDOptions(_ p: UnsafeRawBufferPointer, _ key: inout FlowKey) {
        var offset = 24
        while offset + 8 <= p.count {
            let length = Int(p[offset + 1]) << 3
            guard length > 0, offset + length <= p.count else { return }
            switch p[offset] {
            case 1: key.arpSHA = p.mac(offset + 2)
            case 2: key.arpTHA = p.mac(offset + 2)
            default: break
            }
            offset += length
        }
    }
}
