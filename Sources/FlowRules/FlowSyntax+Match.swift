import Packet

/// Builds a `FlowMatch` from ovs-ofctl match fields, enforcing OpenFlow 1.3 prerequisites
/// (OXM table 11) and refusing contradictions.
struct MatchBuilder {
    var match = FlowMatch()
    /// The token that first set each field's bits (keyed by the slot the bits live in).
    var origin: [FlowField: String] = [:]

    static let ethIPv4: UInt16 = 0x0800, ethIPv6: UInt16 = 0x86DD, ethARP: UInt16 = 0x0806

    /// Protocol shorthands: eth_type and, for the transport ones, ip_proto.
    static let shorthands: [String: (ethType: UInt16, ipProto: UInt8?)] = [
        "ip": (ethIPv4, nil), "ipv6": (ethIPv6, nil), "arp": (ethARP, nil),
        "tcp": (ethIPv4, 6), "udp": (ethIPv4, 17), "icmp": (ethIPv4, 1),
        "tcp6": (ethIPv6, 6), "udp6": (ethIPv6, 17), "icmp6": (ethIPv6, 58),
        // No SCTP or IGMP fields here, but ovs-ofctl prints these shorthands for their ip_proto.
        "sctp": (ethIPv4, 132), "sctp6": (ethIPv6, 132), "igmp": (ethIPv4, 2),
    ]

    /// Every key the match part understands, for did-you-mean suggestions.
    static let knownKeys: [String] = [
        "table", "priority", "cookie", "idle_timeout", "hard_timeout", "send_flow_rem", "check_overlap",
        "reset_counts", "no_packet_counts", "no_byte_counts", "out_port", "actions",
        "ip", "ipv6", "arp", "tcp", "udp", "icmp", "tcp6", "udp6", "icmp6", "sctp", "sctp6", "igmp",
        "in_port", "dl_src", "dl_dst", "eth_src", "eth_dst", "dl_type", "eth_type",
        "dl_vlan", "dl_vlan_pcp", "vlan_tci", "vlan_vid", "vlan_pcp",
        "nw_src", "nw_dst", "ip_src", "ip_dst", "ipv4_src", "ipv4_dst", "nw_proto", "ip_proto",
        "nw_tos", "ip_dscp", "nw_ecn", "ip_ecn", "tp_src", "tp_dst", "tcp_src", "tcp_dst", "udp_src", "udp_dst",
        "arp_spa", "arp_tpa", "arp_sha", "arp_tha", "arp_op", "ipv6_src", "ipv6_dst",
        "icmp_type", "icmp_code", "icmpv4_type", "icmpv4_code", "icmpv6_type", "icmpv6_code",
        "tun_id", "tunnel_id", "metadata",
    ]

    /// Fields that share bits in `FlowKey` are one slot.
    static func slot(_ f: FlowField) -> FlowField {
        switch f {
        case .arpSPA: .ipv4Src
        case .arpTPA: .ipv4Dst
        case .udpSrc: .tcpSrc
        case .udpDst: .tcpDst
        case .icmpv6Type: .icmpv4Type
        case .icmpv6Code: .icmpv4Code
        default: f
        }
    }

    // MARK: What the match says so far

    var ethType: UInt16? {
        match.maskOf(.ethType).low == 0xFFFF ? UInt16(truncatingIfNeeded: match.valueOf(.ethType).low) : nil
    }
    var isIPv4: Bool { ethType == Self.ethIPv4 }
    var isIPv6: Bool { ethType == Self.ethIPv6 }
    var isARP: Bool { ethType == Self.ethARP }
    var isIPAny: Bool { isIPv4 || isIPv6 }
    /// ip_proto when matched exactly on an IP packet.
    var ipProto: UInt8? {
        guard isIPAny, match.maskOf(.ipProto).low == 0xFF else { return nil }
        return UInt8(truncatingIfNeeded: match.valueOf(.ipProto).low)
    }
    /// True when the match only accepts frames with a VLAN tag.
    var vlanPresent: Bool {
        match.maskOf(.vlanVID).low & 0x1000 != 0 && match.valueOf(.vlanVID).low & 0x1000 != 0
    }

    // MARK: Setting

    /// Adds `value/mask` to the field, refusing bits that contradict what is already matched.
    mutating func merge(_ f: FlowField, _ v: FieldValue, mask m: FieldValue, token: String) throws(FlowSyntaxError) {
        let full = f.fullMask
        let m = FieldValue(high: m.high & full.high, low: m.low & full.low)
        let v = FieldValue(high: v.high & m.high, low: v.low & m.low)
        let oldM = match.maskOf(f), oldV = match.valueOf(f)
        let common = FieldValue(high: oldM.high & m.high, low: oldM.low & m.low)
        if oldV.high & common.high != v.high & common.high || oldV.low & common.low != v.low & common.low {
            let earlier = origin[Self.slot(f)] ?? f.rawValue
            var message = "'\(token)' conflicts with '\(earlier)'"
            if ["tcp", "udp", "icmp"].contains(token) && earlier == "ipv6" {
                message += " (for \(token.uppercased()) over IPv6 write '\(token)6')"
            }
            throw FlowSyntaxError(token: token, message: message)
        }
        if m == .zero { return }
        match.set(f, FieldValue(high: oldV.high | v.high, low: oldV.low | v.low),
                  mask: FieldValue(high: oldM.high | m.high, low: oldM.low | m.low))
        if origin[Self.slot(f)] == nil { origin[Self.slot(f)] = token }
    }

    mutating func merge(_ f: FlowField, _ v: UInt64, mask m: UInt64? = nil, token: String) throws(FlowSyntaxError) {
        try merge(f, FieldValue(v), mask: m.map { FieldValue($0) } ?? f.fullMask, token: token)
    }

    static func needs(_ t: FlowToken, _ what: String, add: String) -> FlowSyntaxError {
        FlowSyntaxError(token: t.key, message: "'\(t.key)' needs \(what) (add \(add))")
    }

    func requireIPv4(_ t: FlowToken) throws(FlowSyntaxError) {
        guard isIPv4 else {
            if isIPv6 {
                throw FlowSyntaxError(token: t.key, message: "'\(t.key)' is an IPv4 field but the match is ipv6 (use ipv6_\(t.key.hasSuffix("src") ? "src" : "dst"))")
            }
            throw Self.needs(t, "ip", add: "'ip,'")
        }
    }
    func requireIPAny(_ t: FlowToken) throws(FlowSyntaxError) {
        guard isIPAny else { throw Self.needs(t, "ip or ipv6", add: "'ip,' or 'ipv6,'") }
    }
    func requireARP(_ t: FlowToken) throws(FlowSyntaxError) {
        guard isARP else { throw Self.needs(t, "arp", add: "'arp,'") }
    }
    func requireIPv6(_ t: FlowToken) throws(FlowSyntaxError) {
        guard isIPv6 else { throw Self.needs(t, "ipv6", add: "'ipv6,'") }
    }
    func requireProto(_ t: FlowToken, _ proto: UInt8) throws(FlowSyntaxError) {
        guard ipProto == proto else {
            let name = proto == 6 ? "tcp" : "udp"
            throw Self.needs(t, name, add: "'\(name),' or '\(name)6,'")
        }
    }

    // MARK: Fields

    mutating func apply(_ t: FlowToken, portNames: [String: PortNumber]) throws(FlowSyntaxError) {
        if let shorthand = Self.shorthands[t.key] {
            if t.value != nil {
                throw FlowSyntaxError(token: t.text, message: "'\(t.text)': \(t.key) takes no value (write just '\(t.key)')")
            }
            try merge(.ethType, UInt64(shorthand.ethType), token: t.key)
            if let proto = shorthand.ipProto { try merge(.ipProto, UInt64(proto), token: t.key) }
            return
        }
        guard Self.knownKeys.contains(t.key) else {
            throw FlowSyntaxError(token: t.key, message: "unknown field '\(t.key)'" + Suggest.didYouMean(t.key, in: Self.knownKeys))
        }
        guard let value = t.value else { throw Values.missingValue(t) }
        let token = t.text

        switch t.key {
        case "in_port":
            if value.contains("/") { throw FlowSyntaxError(token: token, message: "'\(token)': in_port does not take a mask") }
            let port = try Values.port(value, field: "in_port", portNames: portNames)
            if port.isReserved && port != .local && port != .controller {
                throw Values.bad(value, for: "in_port", port == .any
                    ? "ANY matches no packet; leave in_port out to match every port"
                    : "no packet arrives on \(port)")
            }
            try merge(.inPort, UInt64(port.rawValue), token: token)

        case "dl_src", "eth_src", "dl_dst", "eth_dst":
            let (v, m) = try Self.macMasked(t, value)
            try merge(t.key.hasSuffix("src") ? .ethSrc : .ethDst, v, mask: m, token: token)

        case "dl_type", "eth_type":
            try merge(.ethType, try Values.integer(t, max: 0xFFFF), token: token)

        case "dl_vlan":
            let v = try Values.integer(t, max: 0xFFFF)
            if v == 0xFFFF {
                try merge(.vlanVID, 0, mask: 0x1FFF, token: token)        // no VLAN tag
            } else {
                guard v <= 0xFFF else { throw Values.bad(value, for: "dl_vlan", "VLAN ids are 0-4095, or 0xffff for no VLAN") }
                try merge(.vlanVID, UInt64(FlowKey.vlanPresent) | v, mask: 0x1FFF, token: token)
            }

        case "dl_vlan_pcp", "vlan_pcp":
            let v = try Values.integer(t, max: 7)
            // A priority only exists in a tag: OpenFlow's vlan_pcp requires vlan_vid present.
            try merge(.vlanVID, UInt64(FlowKey.vlanPresent), mask: UInt64(FlowKey.vlanPresent), token: token)
            try merge(.vlanPCP, v, token: token)

        case "vlan_tci":
            let (v, mRaw) = try Values.maskedInteger(t, max: 0xFFFF)
            let m = mRaw ?? 0xFFFF
            let pcpMask = m >> 13
            guard pcpMask == 0 || pcpMask == 7 else {
                throw FlowSyntaxError(token: token, message: "'\(token)': the PCP bits 0xe000 of the mask must be all set or all clear")
            }
            let cfiMatched = m & 0x1000 != 0
            if cfiMatched && v & 0x1000 == 0 {
                // "No VLAN tag": an untagged frame has TCI 0, so other bits must be 0 too.
                guard v & m == 0 else {
                    throw FlowSyntaxError(token: token, message: "'\(token)' matches no packet: VID or PCP bits are set but the VLAN-present bit 0x1000 is clear")
                }
                try merge(.vlanVID, 0, mask: m & 0x1FFF, token: token)
            } else {
                if pcpMask != 0 && !cfiMatched {
                    throw FlowSyntaxError(token: token, message: "'\(token)': matching the PCP needs the VLAN-present bit 0x1000 in the mask too (e.g. vlan_tci=\(Self.hex4(v | 0x1000))/\(Self.hex4(m | 0x1000)))")
                }
                try merge(.vlanVID, v & 0x1FFF, mask: m & 0x1FFF, token: token)
                if pcpMask != 0 { try merge(.vlanPCP, v >> 13, token: token) }
            }

        case "vlan_vid":
            let (v, mRaw) = try Values.maskedInteger(t, max: 0x1FFF)
            let m = mRaw ?? 0x1FFF
            if m & 0x1000 != 0 && v & 0x1000 == 0 && v & m != 0 {
                throw FlowSyntaxError(token: token, message: "'\(token)' lacks the VLAN-present bit 0x1000: write vlan_vid=\(v | 0x1000) (0x1000|\(v)) or dl_vlan=\(v)")
            }
            try merge(.vlanVID, v, mask: m, token: token)

        case "nw_src", "nw_dst":
            let src = t.key == "nw_src"
            if isARP {
                let (v, m) = try Self.ipv4Masked(t, value)
                try merge(src ? .arpSPA : .arpTPA, v, mask: m, token: token)
            } else if isIPv4 {
                let (v, m) = try Self.ipv4Masked(t, value)
                try merge(src ? .ipv4Src : .ipv4Dst, v, mask: m, token: token)
            } else if isIPv6 {
                throw FlowSyntaxError(token: t.key, message: "'\(t.key)' is for IPv4 or ARP but the match is ipv6 (use ipv6_\(src ? "src" : "dst"))")
            } else {
                throw Self.needs(t, "ip or arp", add: "'ip,' or 'arp,'")
            }

        case "ip_src", "ip_dst", "ipv4_src", "ipv4_dst":
            try requireIPv4(t)
            let (v, m) = try Self.ipv4Masked(t, value)
            try merge(t.key.hasSuffix("src") ? .ipv4Src : .ipv4Dst, v, mask: m, token: token)

        case "nw_proto", "ip_proto":
            if isARP {
                // ovs-ofctl: for ARP, nw_proto is the opcode.
                try merge(.arpOp, try Values.integer(t, max: 0xFF), token: token)
            } else {
                guard isIPAny else { throw Self.needs(t, "ip, ipv6 or arp", add: "'ip,' or 'ipv6,'") }
                try merge(.ipProto, try Values.integer(t, max: 0xFF), token: token)
            }

        case "nw_tos":
            try requireIPAny(t)
            let v = try Values.integer(t, max: 0xFF)
            guard v & 3 == 0 else {
                throw Values.bad(value, for: "nw_tos", "the low 2 bits of the TOS byte are ECN: use a multiple of 4, or ip_dscp= and nw_ecn=")
            }
            try merge(.ipDSCP, v >> 2, token: token)

        case "ip_dscp":
            try requireIPAny(t)
            try merge(.ipDSCP, try Values.integer(t, max: 63), token: token)

        case "nw_ecn", "ip_ecn":
            try requireIPAny(t)
            try merge(.ipECN, try Values.integer(t, max: 3), token: token)

        case "tp_src", "tp_dst":
            let src = t.key == "tp_src"
            let field: FlowField
            switch ipProto {
            case 6: field = src ? .tcpSrc : .tcpDst
            case 17: field = src ? .udpSrc : .udpDst
            case 1, 58:
                throw FlowSyntaxError(token: t.key, message: "'\(t.key)' needs tcp or udp (for ICMP use icmp_\(src ? "type" : "code"))")
            default:
                throw Self.needs(t, "tcp or udp", add: "'tcp,' or 'udp,'")
            }
            let (v, m) = try Values.maskedInteger(t, max: 0xFFFF)
            try merge(field, v, mask: m, token: token)

        case "tcp_src", "tcp_dst", "udp_src", "udp_dst":
            let tcp = t.key.hasPrefix("tcp")
            try requireProto(t, tcp ? 6 : 17)
            let field: FlowField = t.key.hasSuffix("src") ? (tcp ? .tcpSrc : .udpSrc) : (tcp ? .tcpDst : .udpDst)
            let (v, m) = try Values.maskedInteger(t, max: 0xFFFF)
            try merge(field, v, mask: m, token: token)

        case "arp_spa", "arp_tpa":
            try requireARP(t)
            let (v, m) = try Self.ipv4Masked(t, value)
            try merge(t.key == "arp_spa" ? .arpSPA : .arpTPA, v, mask: m, token: token)

        case "arp_sha", "arp_tha":
            try requireARP(t)
            let (v, m) = try Self.macMasked(t, value)
            try merge(t.key == "arp_sha" ? .arpSHA : .arpTHA, v, mask: m, token: token)

        case "arp_op":
            try requireARP(t)
            try merge(.arpOp, try Values.integer(t, max: 0xFFFF), token: token)

        case "ipv6_src", "ipv6_dst":
            try requireIPv6(t)
            let (v, m) = try Self.ipv6Masked(t, value)
            try merge(t.key == "ipv6_src" ? .ipv6Src : .ipv6Dst, v, mask: m, token: token)

        case "icmp_type", "icmp_code", "icmpv4_type", "icmpv4_code", "icmpv6_type", "icmpv6_code":
            let isType = t.key.hasSuffix("type")
            let v4 = isIPv4 && ipProto == 1, v6 = isIPv6 && ipProto == 58
            let field: FlowField
            if t.key.hasPrefix("icmpv4") {
                guard v4 else { throw Self.needs(t, "icmp", add: "'icmp,'") }
                field = isType ? .icmpv4Type : .icmpv4Code
            } else if t.key.hasPrefix("icmpv6") {
                guard v6 else { throw Self.needs(t, "icmp6", add: "'icmp6,'") }
                field = isType ? .icmpv6Type : .icmpv6Code
            } else if v4 {
                field = isType ? .icmpv4Type : .icmpv4Code
            } else if v6 {
                field = isType ? .icmpv6Type : .icmpv6Code
            } else {
                throw Self.needs(t, "icmp or icmp6", add: "'icmp,' or 'icmp6,'")
            }
            try merge(field, try Values.integer(t, max: 0xFF), token: token)

        case "tun_id", "tunnel_id":
            let (v, m) = try Values.maskedInteger(t, max: ~0)
            try merge(.tunnelID, v, mask: m, token: token)

        case "metadata":
            let (v, m) = try Values.maskedInteger(t, max: ~0)
            try merge(.metadata, v, mask: m, token: token)

        default:
            // Keywords handled by FlowParser never get here.
            throw FlowSyntaxError(token: t.key, message: "'\(t.key)' is not allowed here")
        }
    }

    // MARK: Masked values

    static func hex4(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    static func split(_ value: String) -> (Substring, Substring?) {
        let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        return (parts[0], parts.count == 2 ? parts[1] : nil)
    }

    static func macMasked(_ t: FlowToken, _ value: String) throws(FlowSyntaxError) -> (FieldValue, FieldValue) {
        let (a, m) = split(value)
        let mac = try Values.mac(a, for: t.key)
        let mask = try m.map { (s) throws(FlowSyntaxError) in try Values.mac(s, for: "\(t.key) mask") } ?? .broadcast
        return (FieldValue(mac.rawValue), FieldValue(mask.rawValue))
    }

    /// `a.b.c.d`, `a.b.c.d/N` or `a.b.c.d/m.m.m.m`.
    static func ipv4Masked(_ t: FlowToken, _ value: String) throws(FlowSyntaxError) -> (FieldValue, FieldValue) {
        let (a, m) = split(value)
        let ip = try Values.ipv4(a, for: t.key)
        var mask: UInt32 = 0xFFFF_FFFF
        if let m {
            if !m.isEmpty, m.allSatisfy({ $0.isASCII && $0.isNumber }) {
                guard let bits = Int(m), bits <= 32 else { throw Values.bad(value, for: t.key, "prefix length is 0-32") }
                mask = bits == 0 ? 0 : ~UInt32(0) << UInt32(32 - bits)
            } else {
                mask = try Values.ipv4(m, for: "\(t.key) mask").rawValue
            }
        }
        return (FieldValue(UInt64(ip.rawValue)), FieldValue(UInt64(mask)))
    }

    /// `addr`, `addr/N` or `addr/mask`.
    static func ipv6Masked(_ t: FlowToken, _ value: String) throws(FlowSyntaxError) -> (FieldValue, FieldValue) {
        let (a, m) = split(value)
        let ip = try Values.ipv6(a, for: t.key)
        var mask = FieldValue(high: ~0, low: ~0)
        if let m {
            if !m.isEmpty, m.allSatisfy({ $0.isASCII && $0.isNumber }) {
                guard let bits = Int(m), bits <= 128 else { throw Values.bad(value, for: t.key, "prefix length is 0-128") }
                mask = ipv6PrefixMask(bits)
            } else {
                let mv = try Values.ipv6(m, for: "\(t.key) mask")
                mask = FieldValue(high: mv.high, low: mv.low)
            }
        }
        return (FieldValue(high: ip.high, low: ip.low), mask)
    }

    static func ipv6PrefixMask(_ bits: Int) -> FieldValue {
        func part(_ n: Int) -> UInt64 { n <= 0 ? 0 : n >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - n) }
        return FieldValue(high: part(bits), low: part(bits - 64))
    }
}
