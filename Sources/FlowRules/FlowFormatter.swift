import Packet

/// Prints flows the way `ovs-ofctl -O OpenFlow13 dump-flows` (Open vSwitch 3.1) does, so the
/// text can be compared with a real OVS and parsed back by `FlowSyntax.parseFlow`.
public enum FlowFormatter {
    /// One flow as a dump-flows line, without the leading space ovs-ofctl puts before each.
    /// With `stats`: `cookie=0x0, duration=1.234s, table=0, n_packets=3, n_bytes=180,
    /// idle_timeout=10, priority=100,ip,nw_src=10.0.0.0/8 actions=output:2`. Without, the
    /// `--no-stats` form: cookie and table only when not 0.
    public static func format(_ spec: FlowSpec, stats: (packets: UInt64, bytes: UInt64, durationSeconds: Double)? = nil) -> String {
        var s = ""
        if let stats {
            s += "cookie=0x\(hex(spec.cookie)), duration=\(duration(stats.durationSeconds)), table=\(spec.table), "
            s += "n_packets=\(stats.packets), n_bytes=\(stats.bytes), "
        } else {
            if spec.cookie != 0 { s += "cookie=0x\(hex(spec.cookie)), " }
            if spec.table != 0 { s += "table=\(spec.table), " }
        }
        if spec.idleTimeout != 0 { s += "idle_timeout=\(spec.idleTimeout), " }
        if spec.hardTimeout != 0 { s += "hard_timeout=\(spec.hardTimeout), " }
        // ovs-ofctl ends each flag with a space, not a comma.
        for (bit, name) in flagNames where spec.flags & bit != 0 { s += name + " " }
        var match = formatMatchParts(spec.match)
        if spec.priority != 32768 { match.insert("priority=\(spec.priority)", at: 0) }
        s += match.joined(separator: ",")
        if let last = s.last, last != " " { s += " " }
        return s + "actions=" + formatActions(spec.instructions)
    }

    static let flagNames: [(UInt16, String)] = [
        (0x1, "send_flow_rem"), (0x2, "check_overlap"), (0x4, "reset_counts"),
        (0x8, "no_packet_counts"), (0x10, "no_byte_counts"),
    ]

    /// Canonical match text: protocol shorthand first, then the fields in ovs-ofctl's order.
    /// An empty match gives "".
    public static func formatMatch(_ match: FlowMatch) -> String {
        formatMatchParts(match).joined(separator: ",")
    }

    /// The instructions as the text after `actions=`: apply-actions, then clear_actions,
    /// write_actions(...), write_metadata, goto_table; "drop" when there are none.
    public static func formatActions(_ instructions: Instructions) -> String {
        var parts = (instructions.applyActions ?? []).map(formatAction)
        if instructions.clearActions { parts.append("clear_actions") }
        if let write = instructions.writeActions {
            parts.append("write_actions(" + write.map(formatAction).joined(separator: ",") + ")")
        }
        if let metadata = instructions.writeMetadata {
            parts.append("write_metadata:" + hex64Masked(metadata.value, metadata.mask))
        }
        if let table = instructions.gotoTable { parts.append("goto_table:\(table)") }
        return parts.isEmpty ? "drop" : parts.joined(separator: ",")
    }

    /// A group as `ovs-ofctl -O OpenFlow13 dump-groups` prints it (without the leading space):
    /// `group_id=2,type=select,bucket=weight:50,watch_port:1,actions=output:1`.
    public static func formatGroup(_ group: GroupEntry) -> String {
        let kinds: [GroupEntry.Kind: String] = [.all: "all", .select: "select", .indirect: "indirect", .fastFailover: "ff"]
        var s = "group_id=\(group.id),type=\(kinds[group.kind]!)"
        for bucket in group.buckets {
            s += ",bucket="
            if bucket.weight != 1 { s += "weight:\(bucket.weight)," }
            if bucket.watchPort != .any { s += "watch_port:\(bucket.watchPort)," }
            if bucket.watchGroup != 0xFFFF_FFFF { s += "watch_group:\(bucket.watchGroup)," }
            s += "actions=" + (bucket.actions.isEmpty ? "drop" : bucket.actions.map(formatAction).joined(separator: ","))
        }
        return s
    }

    /// One action in ovs-ofctl's OpenFlow 1.3 spelling.
    public static func formatAction(_ action: FlowAction) -> String {
        switch action {
        case .output(let port, let maxLength):
            if port == .controller { return "CONTROLLER:\(maxLength)" }
            if maxLength != 0xFFFF { return "output(port=\(port),max_len=\(maxLength))" }
            return port.isReserved ? port.description : "output:\(port.rawValue)"
        case .setField(let field, let value):
            return "set_field:\(formatSetFieldValue(field, value))->\(setFieldName(field))"
        case .pushVLAN(let tpid): return "push_vlan:0x\(hex(UInt64(tpid)))"
        case .popVLAN: return "pop_vlan"
        case .modVLANVID(let vid): return "mod_vlan_vid:\(vid)"
        case .modVLANPCP(let pcp): return "mod_vlan_pcp:\(pcp)"
        case .decTTL: return "dec_ttl"
        case .group(let id): return "group:\(id)"
        }
    }

    // MARK: Match

    static func formatMatchParts(_ match: FlowMatch) -> [String] {
        var parts: [String] = []
        func masked(_ f: FlowField) -> Bool { !match.isWildcarded(f) }
        func value(_ f: FlowField) -> UInt64 { match.valueOf(f).low }
        func mask(_ f: FlowField) -> UInt64 { match.maskOf(f).low }

        let ethType: UInt16? = masked(.ethType) ? UInt16(truncatingIfNeeded: value(.ethType)) : nil
        let isIPv4 = ethType == MatchBuilder.ethIPv4, isIPv6 = ethType == MatchBuilder.ethIPv6
        let isARP = ethType == MatchBuilder.ethARP
        let proto: UInt8? = masked(.ipProto) ? UInt8(truncatingIfNeeded: value(.ipProto)) : nil
        var skipType = false, skipProto = false

        if let ethType {
            skipType = true
            if isIPv4 || isIPv6 {
                let names: [UInt8: String] = isIPv4 ? [1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 132: "sctp"]
                                                    : [58: "icmp6", 6: "tcp6", 17: "udp6", 132: "sctp6"]
                if let proto, let name = names[proto] {
                    parts.append(name); skipProto = true
                } else {
                    parts.append(isIPv4 ? "ip" : "ipv6")
                }
            } else if ethType == MatchBuilder.ethARP {
                parts.append("arp")
            } else {
                skipType = false
            }
        }
        if masked(.tunnelID) { parts.append("tun_id=" + hex64Masked(value(.tunnelID), mask(.tunnelID))) }
        if masked(.metadata) { parts.append("metadata=" + hex64Masked(value(.metadata), mask(.metadata))) }
        if masked(.inPort) { parts.append("in_port=\(PortNumber(UInt32(truncatingIfNeeded: value(.inPort))))") }
        if let vlan = formatVLAN(match) { parts.append(vlan) }
        if masked(.ethSrc) { parts.append("dl_src=" + macMasked(value(.ethSrc), mask(.ethSrc))) }
        if masked(.ethDst) { parts.append("dl_dst=" + macMasked(value(.ethDst), mask(.ethDst))) }
        if !skipType, let ethType { parts.append("dl_type=0x" + hex(UInt64(ethType), width: 4)) }

        if isIPv6 {
            if masked(.ipv6Src) { parts.append("ipv6_src=" + ipv6Masked(match.valueOf(.ipv6Src), match.maskOf(.ipv6Src))) }
            if masked(.ipv6Dst) { parts.append("ipv6_dst=" + ipv6Masked(match.valueOf(.ipv6Dst), match.maskOf(.ipv6Dst))) }
        } else {
            let (src, dst) = isARP ? ("arp_spa", "arp_tpa") : ("nw_src", "nw_dst")
            if masked(.ipv4Src) { parts.append("\(src)=" + ipv4Masked(value(.ipv4Src), mask(.ipv4Src))) }
            if masked(.ipv4Dst) { parts.append("\(dst)=" + ipv4Masked(value(.ipv4Dst), mask(.ipv4Dst))) }
        }
        if isARP && masked(.arpOp) { parts.append("arp_op=\(value(.arpOp))") }
        if !skipProto, let proto { parts.append("nw_proto=\(proto)") }
        if isARP {
            if masked(.arpSHA) { parts.append("arp_sha=" + macMasked(value(.arpSHA), mask(.arpSHA))) }
            if masked(.arpTHA) { parts.append("arp_tha=" + macMasked(value(.arpTHA), mask(.arpTHA))) }
        }
        if masked(.ipDSCP) { parts.append("nw_tos=\(value(.ipDSCP) << 2)") }
        if masked(.ipECN) { parts.append("nw_ecn=\(value(.ipECN))") }
        if (isIPv4 && proto == 1) || (isIPv6 && proto == 58) {
            if masked(.icmpv4Type) { parts.append("icmp_type=\(value(.icmpv4Type))") }
            if masked(.icmpv4Code) { parts.append("icmp_code=\(value(.icmpv4Code))") }
        } else {
            if masked(.tcpSrc) { parts.append("tp_src=" + be16Masked(value(.tcpSrc), mask(.tcpSrc))) }
            if masked(.tcpDst) { parts.append("tp_dst=" + be16Masked(value(.tcpDst), mask(.tcpDst))) }
        }
        return parts
    }

    /// OVS's VLAN rule: `dl_vlan`/`dl_vlan_pcp` when the match is "tagged, and whole VID
    /// and/or whole PCP", else `vlan_tci=TCI[/MASK]` (CFI standing for OFPVID_PRESENT).
    static func formatVLAN(_ match: FlowMatch) -> String? {
        let tci = UInt16(truncatingIfNeeded: match.valueOf(.vlanVID).low | match.valueOf(.vlanPCP).low << 13)
        let tciMask = UInt16(truncatingIfNeeded: match.maskOf(.vlanVID).low | match.maskOf(.vlanPCP).low << 13)
        guard tciMask != 0 else { return nil }
        let vidMask = tciMask & 0x0FFF, pcpMask = tciMask & 0xE000
        if tciMask & 0x1000 != 0 && tci & 0x1000 != 0 && (vidMask == 0 || vidMask == 0x0FFF)
            && (pcpMask == 0 || pcpMask == 0xE000) && (vidMask != 0 || pcpMask != 0) {
            var parts: [String] = []
            if vidMask != 0 { parts.append("dl_vlan=\(tci & 0x0FFF)") }
            if pcpMask != 0 { parts.append("dl_vlan_pcp=\(tci >> 13)") }
            return parts.joined(separator: ",")
        }
        if tciMask == 0xFFFF { return "vlan_tci=0x" + hex(UInt64(tci), width: 4) }
        return "vlan_tci=0x" + hex(UInt64(tci), width: 4) + "/0x" + hex(UInt64(tciMask), width: 4)
    }

    // MARK: set_field

    /// The names ovs-ofctl prints in set_field.
    static func setFieldName(_ field: FlowField) -> String {
        switch field {
        case .ipv4Src: "ip_src"
        case .ipv4Dst: "ip_dst"
        case .ipECN: "nw_ecn"
        case .icmpv4Type: "icmp_type"
        case .icmpv4Code: "icmp_code"
        case .tunnelID: "tun_id"
        default: field.rawValue
        }
    }

    static func formatSetFieldValue(_ field: FlowField, _ value: FieldValue) -> String {
        switch field {
        case .ethSrc, .ethDst, .arpSHA, .arpTHA: MACAddress(rawValue: value.low).description
        case .ipv4Src, .ipv4Dst, .arpSPA, .arpTPA: IPv4Address(rawValue: UInt32(truncatingIfNeeded: value.low)).description
        case .ipv6Src, .ipv6Dst: IPv6Address(high: value.high, low: value.low).description
        case .tunnelID, .metadata: hex0x(value.low)
        case .inPort: PortNumber(UInt32(truncatingIfNeeded: value.low)).description
        default: String(value.low)
        }
    }

    // MARK: Numbers and addresses

    static func hex(_ v: UInt64, width: Int = 0) -> String {
        let s = String(v, radix: 16)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// C's `%#x`: "0" for zero, "0x..." otherwise.
    static func hex0x(_ v: UInt64) -> String { v == 0 ? "0" : "0x" + hex(v) }

    static func hex64Masked(_ v: UInt64, _ m: UInt64) -> String {
        m == ~0 ? hex0x(v) : hex0x(v) + "/" + hex0x(m)
    }

    /// Transport ports: decimal when exact, `0xVALUE/0xMASK` when masked.
    static func be16Masked(_ v: UInt64, _ m: UInt64) -> String {
        m == 0xFFFF ? String(v) : "0x" + hex(v) + "/0x" + hex(m)
    }

    static func macMasked(_ v: UInt64, _ m: UInt64) -> String {
        let mac = MACAddress(rawValue: v).description
        return m == 0xFFFF_FFFF_FFFF ? mac : mac + "/" + MACAddress(rawValue: m).description
    }

    static func ipv4Masked(_ v: UInt64, _ m: UInt64) -> String {
        let ip = IPv4Address(rawValue: UInt32(truncatingIfNeeded: v)).description
        let mask = UInt32(truncatingIfNeeded: m)
        if mask == 0xFFFF_FFFF { return ip }
        if (~mask) & (~mask &+ 1) == 0 { return ip + "/\(mask.nonzeroBitCount)" }   // contiguous prefix
        return ip + "/" + IPv4Address(rawValue: mask).description
    }

    static func ipv6Masked(_ v: FieldValue, _ m: FieldValue) -> String {
        let ip = IPv6Address(high: v.high, low: v.low).description
        if m.high == ~0 && m.low == ~0 { return ip }
        let bits = m.high.nonzeroBitCount + m.low.nonzeroBitCount
        if m == MatchBuilder.ipv6PrefixMask(bits) { return ip + "/\(bits)" }
        return ip + "/" + IPv6Address(high: m.high, low: m.low).description
    }

    /// ovs-ofctl's duration: whole seconds, or three decimals (Open vSwitch keeps milliseconds).
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0s" }
        let totalMs = UInt64((seconds * 1000).rounded())
        let (sec, ms) = totalMs.quotientAndRemainder(dividingBy: 1000)
        if ms == 0 { return "\(sec)s" }
        let frac = String(ms)
        return "\(sec)." + String(repeating: "0", count: 3 - frac.count) + frac + "s"
    }
}
