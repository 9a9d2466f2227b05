import Packet

/// One action or instruction of an `actions=` list: `name`, `name:arg`, `name=arg` or `name(arg)`.
struct ActionItem {
    var name: String
    var arg: String?
    var parenthesized = false
    /// As written, for error messages.
    var text: String
}

/// Parses the text after `actions=` into OpenFlow 1.3 instructions. Needs the flow's match
/// (set-field prerequisites, and `mod_tp_src` choosing TCP or UDP) and table (`goto_table`).
/// A group bucket has no match (`match == nil`): prerequisites are not checked there.
struct ActionParser {
    let portNames: [String: PortNumber]
    let match: MatchBuilder?
    let table: UInt8

    init(portNames: [String: PortNumber], match: MatchBuilder?, table: UInt8 = 0) {
        self.portNames = portNames; self.match = match; self.table = table
    }

    static let knownActions: [String] = [
        "output", "controller", "in_port", "normal", "flood", "all", "local", "table", "drop",
        "mod_vlan_vid", "mod_vlan_pcp", "strip_vlan", "pop_vlan", "push_vlan", "set_field",
        "mod_dl_src", "mod_dl_dst", "mod_nw_src", "mod_nw_dst", "mod_nw_tos", "mod_nw_ecn",
        "mod_tp_src", "mod_tp_dst", "dec_ttl", "set_tunnel", "set_tunnel64", "group",
        "goto_table", "write_metadata", "write_actions", "clear_actions",
    ]

    /// OpenFlow runs instructions in this order (spec §5.9); ovs-ofctl wants them written so.
    static let instructionOrder = ["actions", "clear_actions", "write_actions", "write_metadata", "goto_table"]

    // MARK: Splitting

    /// Splits on commas and white space outside parentheses.
    static func split(_ text: String) throws(FlowSyntaxError) -> [ActionItem] {
        let chars = Array(text)
        var i = 0
        var items: [ActionItem] = []
        func isSeparator(_ c: Character) -> Bool { c == "," || c.isWhitespace }
        while true {
            while i < chars.count && isSeparator(chars[i]) { i += 1 }
            if i == chars.count { break }
            let start = i
            var name = ""
            while i < chars.count && !isSeparator(chars[i]) && !":=()".contains(chars[i]) { name.append(chars[i]); i += 1 }
            var j = i
            while j < chars.count && chars[j].isWhitespace { j += 1 }
            var item = ActionItem(name: name.lowercased(), arg: nil, text: "")
            if j < chars.count && (chars[j] == ":" || chars[j] == "=") {
                i = j + 1
                while i < chars.count && chars[i].isWhitespace { i += 1 }
                var arg = ""
                var depth = 0
                while true {
                    while i < chars.count && (depth > 0 || !isSeparator(chars[i])) {
                        if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                        arg.append(chars[i]); i += 1
                    }
                    // Let "set_field: V -> F" have spaces around its arrow.
                    var k = i
                    while k < chars.count && chars[k].isWhitespace { k += 1 }
                    if arg.hasSuffix("->") && k < chars.count && chars[k] != "," {
                        i = k
                    } else if k + 1 < chars.count && chars[k] == "-" && chars[k + 1] == ">" {
                        arg += "->"; i = k + 2
                        while i < chars.count && chars[i].isWhitespace { i += 1 }
                    } else {
                        break
                    }
                }
                item.arg = arg
            } else if j < chars.count && chars[j] == "(" {
                i = j + 1
                var depth = 1
                var arg = ""
                while i < chars.count {
                    if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1; if depth == 0 { break } }
                    arg.append(chars[i]); i += 1
                }
                guard i < chars.count else {
                    let text = String(chars[start...])
                    throw FlowSyntaxError(token: text, message: "'\(text)' has no closing ')'")
                }
                i += 1
                item.arg = arg
                item.parenthesized = true
            } else if name.isEmpty {
                // A stray ':', '=', '(' or ')'.
                i += 1
            }
            item.text = String(chars[start..<i])
            items.append(item)
        }
        return items
    }

    // MARK: Instructions

    func parseInstructions(_ text: String) throws(FlowSyntaxError) -> Instructions {
        let items = try Self.split(text)
        var instructions = Instructions()
        var apply: [FlowAction] = []
        var rank = 0
        // The instruction latest in OpenFlow's order so far, for ordering errors.
        var latest: ActionItem?
        var vlan = match?.vlanPresent ?? true

        for item in items {
            if item.name == "drop" {
                guard items.count == 1 else {
                    throw FlowSyntaxError(token: "drop", message: "'drop' must be the only action (an empty action list drops)")
                }
                try noArgument(item)
                return instructions
            }
            let r = Self.instructionOrder.firstIndex(of: item.name) ?? 0
            if let before = latest, r < rank || (r == rank && r > 0) {
                if r == rank {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)' repeats '\(before.text)': each instruction may appear once")
                }
                throw FlowSyntaxError(token: item.text, message: "'\(item.text)' must come before '\(before.text)' (OpenFlow runs instructions in the order: actions, clear_actions, write_actions, write_metadata, goto_table)")
            }
            if r > rank || latest == nil { latest = item }
            rank = r

            switch item.name {
            case "clear_actions":
                try noArgument(item)
                instructions.clearActions = true
            case "write_actions":
                guard item.parenthesized, let inner = item.arg else {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)': write the action set as write_actions(ACTION,...)")
                }
                var setVLAN = vlan
                var actions: [FlowAction] = []
                let innerItems = try Self.split(inner)
                // The action set pops and pushes tags before it sets fields (spec §5.10).
                if innerItems.contains(where: { ["pop_vlan", "strip_vlan"].contains($0.name) }) { setVLAN = false }
                if innerItems.contains(where: { ["push_vlan", "mod_vlan_vid", "mod_vlan_pcp"].contains($0.name) }) { setVLAN = true }
                for inner in innerItems {
                    if inner.name == "drop" || Self.instructionOrder.contains(inner.name) {
                        throw FlowSyntaxError(token: inner.text, message: "'\(inner.text)' is not allowed inside write_actions(...)")
                    }
                    var scratch = setVLAN
                    actions.append(try parseAction(inner, vlan: &scratch))
                }
                instructions.writeActions = actions
            case "write_metadata":
                guard let arg = item.arg, !item.parenthesized else {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)': write write_metadata:VALUE[/MASK]")
                }
                let (v, m) = try Values.maskedInteger(FlowToken(key: "write_metadata", value: arg), max: ~0)
                instructions.writeMetadata = (v, m ?? ~0)
            case "goto_table":
                guard let arg = item.arg, !item.parenthesized else {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)': write goto_table:TABLE")
                }
                let next = try Values.integer(arg, for: "goto_table", max: 254)
                guard next > UInt64(table) else {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)' must name a later table than this flow's table \(table) (OpenFlow only goes forward)")
                }
                instructions.gotoTable = UInt8(next)
            default:
                apply.append(try parseAction(item, vlan: &vlan))
            }
        }
        if !apply.isEmpty { instructions.applyActions = apply }
        return instructions
    }

    func noArgument(_ item: ActionItem) throws(FlowSyntaxError) {
        if item.arg != nil {
            throw FlowSyntaxError(token: item.text, message: "'\(item.text)': \(item.name) takes no argument (write just '\(item.name)')")
        }
    }

    func argument(_ item: ActionItem, _ usage: String) throws(FlowSyntaxError) -> String {
        guard let arg = item.arg, !item.parenthesized, !arg.isEmpty else {
            throw FlowSyntaxError(token: item.text, message: "'\(item.text)': write \(usage)")
        }
        return arg
    }

    // MARK: Actions

    /// One action; `vlan` tracks whether a VLAN tag is known to be present at this point.
    func parseAction(_ item: ActionItem, vlan: inout Bool) throws(FlowSyntaxError) -> FlowAction {
        let reservedOutputs: [String: PortNumber] = [
            "in_port": .inPort, "normal": .normal, "flood": .flood, "all": .all, "local": .local, "table": .table,
        ]
        if let port = reservedOutputs[item.name] {
            try noArgument(item)
            return .output(port, maxLength: 0xFFFF)
        }
        switch item.name {
        case "output":
            if item.parenthesized {
                var port: PortNumber?
                var maxLength: UInt16 = 0xFFFF
                for kv in try Self.split(item.arg ?? "") {
                    switch kv.name {
                    case "port": port = try outputPort(kv.arg ?? "", item: item)
                    case "max_len": maxLength = UInt16(try Values.integer(kv.arg ?? "", for: "max_len", max: 0xFFFF))
                    default:
                        throw FlowSyntaxError(token: kv.text, message: "'\(kv.text)' is not an output(...) argument (port=, max_len=)")
                    }
                }
                guard let port else {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)' needs port=")
                }
                return .output(port, maxLength: maxLength)
            }
            let arg = try argument(item, "output:PORT")
            return .output(try outputPort(arg, item: item), maxLength: 0xFFFF)

        case "controller":
            guard let arg = item.arg else { return .output(.controller, maxLength: 0xFFFF) }
            if !item.parenthesized {
                return .output(.controller, maxLength: UInt16(try Values.integer(arg, for: "controller", max: 0xFFFF)))
            }
            var maxLength: UInt16 = 0xFFFF
            for kv in try Self.split(arg) {
                guard kv.name == "max_len" else {
                    throw FlowSyntaxError(token: kv.text, message: "'\(kv.text)' is not supported in controller(...) (only max_len=)")
                }
                maxLength = UInt16(try Values.integer(kv.arg ?? "", for: "max_len", max: 0xFFFF))
            }
            return .output(.controller, maxLength: maxLength)

        case "mod_vlan_vid":
            vlan = true
            return .modVLANVID(UInt16(try Values.integer(try argument(item, "mod_vlan_vid:VID"), for: "mod_vlan_vid", max: 0xFFF)))
        case "mod_vlan_pcp":
            vlan = true
            return .modVLANPCP(UInt8(try Values.integer(try argument(item, "mod_vlan_pcp:PCP"), for: "mod_vlan_pcp", max: 7)))
        case "strip_vlan", "pop_vlan":
            try noArgument(item)
            vlan = false
            return .popVLAN
        case "push_vlan":
            let arg = try argument(item, "push_vlan:0x8100")
            let tpid = try Values.integer(arg, for: "push_vlan", max: 0xFFFF)
            guard tpid == 0x8100 || tpid == 0x88A8 else { throw Values.bad(arg, for: "push_vlan", "a VLAN ethertype is 0x8100 or 0x88a8") }
            vlan = true
            return .pushVLAN(UInt16(tpid))
        case "dec_ttl":
            try noArgument(item)
            return .decTTL
        case "group":
            return .group(UInt32(try Values.integer(try argument(item, "group:GROUP_ID"), for: "group", max: 0xFFFF_FF00)))

        case "set_field":
            let arg = try argument(item, "set_field:VALUE->FIELD")
            let chars = Array(arg)
            guard let arrow = chars.indices.dropLast().last(where: { chars[$0] == "-" && chars[$0 + 1] == ">" }) else {
                throw FlowSyntaxError(token: item.text, message: "'\(item.text)': write set_field:VALUE->FIELD")
            }
            let valueText = String(chars[..<arrow]).flowTrimmed()
            let fieldName = String(chars[(arrow + 2)...]).flowTrimmed().lowercased()
            let field = try setFieldTarget(String(fieldName), item: item)
            return try setField(field, String(valueText), name: String(fieldName), item: item, vlan: vlan)
        case "mod_dl_src", "mod_dl_dst":
            let mac = try Values.mac(try argument(item, "\(item.name):MAC"), for: item.name)
            return .setField(item.name == "mod_dl_src" ? .ethSrc : .ethDst, FieldValue(mac.rawValue))
        case "mod_nw_src", "mod_nw_dst":
            let field: FlowField = item.name == "mod_nw_src" ? .ipv4Src : .ipv4Dst
            return try setField(field, try argument(item, "\(item.name):IP"), name: item.name, item: item, vlan: vlan)
        case "mod_nw_tos":
            let arg = try argument(item, "mod_nw_tos:TOS")
            let tos = try Values.integer(arg, for: "mod_nw_tos", max: 0xFF)
            guard tos & 3 == 0 else { throw Values.bad(arg, for: "mod_nw_tos", "a multiple of 4: the low 2 bits are ECN") }
            return try setField(.ipDSCP, String(tos >> 2), name: item.name, item: item, vlan: vlan)
        case "mod_nw_ecn":
            return try setField(.ipECN, try argument(item, "mod_nw_ecn:ECN"), name: item.name, item: item, vlan: vlan)
        case "mod_tp_src", "mod_tp_dst":
            let src = item.name == "mod_tp_src"
            let field: FlowField
            switch match?.ipProto {
            case 6: field = src ? .tcpSrc : .tcpDst
            case 17: field = src ? .udpSrc : .udpDst
            default:
                if match == nil {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)': a group bucket has no match to tell TCP from UDP (write set_field:PORT->tcp_\(src ? "src" : "dst") or udp_\(src ? "src" : "dst"))")
                }
                throw FlowSyntaxError(token: item.text, message: "'\(item.text)' needs tcp or udp in the match (add 'tcp,' or 'udp,')")
            }
            return try setField(field, try argument(item, "\(item.name):PORT"), name: item.name, item: item, vlan: vlan)
        case "set_tunnel", "set_tunnel64":
            return try setField(.tunnelID, try argument(item, "set_tunnel:ID"), name: item.name, item: item, vlan: vlan)

        default:
            if item.arg == nil {
                // ovs-actions(7): a bare port number or name outputs there.
                if Values.parseUInt(item.name) != nil || portNames[item.text] != nil || item.name == "any" || item.name == "none" {
                    return .output(try outputPort(item.text, item: item), maxLength: 0xFFFF)
                }
            }
            var message = "unknown action '\(item.text)'" + Suggest.didYouMean(item.name, in: Self.knownActions)
            if MatchBuilder.knownKeys.contains(item.name) || MatchBuilder.shorthands[item.name] != nil {
                message += " (match fields go before 'actions=', which must come last)"
            }
            throw FlowSyntaxError(token: item.text, message: message)
        }
    }

    func outputPort(_ text: String, item: ActionItem) throws(FlowSyntaxError) -> PortNumber {
        let port = try Values.port(text, field: "output", portNames: portNames)
        if port == .any {
            throw FlowSyntaxError(token: item.text, message: "'\(item.text)': cannot output to ANY")
        }
        return port
    }

    // MARK: set_field

    /// Set-field target names: OXM names and the ovs-ofctl ones (`nw_src`, `tp_dst`, `tun_id`...).
    static let setFieldNames: [String] = [
        "eth_src", "eth_dst", "dl_src", "dl_dst", "vlan_vid", "vlan_pcp", "ip_src", "ip_dst", "ipv4_src", "ipv4_dst",
        "nw_src", "nw_dst", "ipv6_src", "ipv6_dst", "ip_dscp", "ip_ecn", "nw_ecn", "tcp_src", "tcp_dst", "udp_src",
        "udp_dst", "tp_src", "tp_dst", "icmp_type", "icmp_code", "icmpv4_type", "icmpv4_code", "icmpv6_type",
        "icmpv6_code", "arp_op", "arp_spa", "arp_tpa", "arp_sha", "arp_tha", "tun_id", "tunnel_id", "metadata", "in_port",
    ]

    func setFieldTarget(_ name: String, item: ActionItem) throws(FlowSyntaxError) -> FlowField {
        let icmp6 = match?.isIPv6 == true && match?.ipProto == 58
        let arp = match?.isARP == true
        switch name {
        case "eth_src", "dl_src": return .ethSrc
        case "eth_dst", "dl_dst": return .ethDst
        case "nw_src": return arp ? .arpSPA : .ipv4Src
        case "nw_dst": return arp ? .arpTPA : .ipv4Dst
        case "ip_src": return .ipv4Src
        case "ip_dst": return .ipv4Dst
        case "nw_ecn": return .ipECN
        case "tp_src", "tp_dst":
            let src = name == "tp_src"
            switch match?.ipProto {
            case 6: return src ? .tcpSrc : .tcpDst
            case 17: return src ? .udpSrc : .udpDst
            default:
                if match == nil {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)': a group bucket has no match to tell TCP from UDP (write tcp_\(src ? "src" : "dst") or udp_\(src ? "src" : "dst"))")
                }
                throw FlowSyntaxError(token: item.text, message: "'\(item.text)': \(name) needs tcp or udp in the match (add 'tcp,' or 'udp,')")
            }
        case "icmp_type": return icmp6 ? .icmpv6Type : .icmpv4Type
        case "icmp_code": return icmp6 ? .icmpv6Code : .icmpv4Code
        case "tun_id": return .tunnelID
        case "eth_type", "dl_type", "ip_proto", "nw_proto":
            throw FlowSyntaxError(token: item.text, message: "'\(item.text)': \(name) is read-only")
        default:
            if let field = FlowField(rawValue: name) { return field }
            throw FlowSyntaxError(token: name, message: "unknown field '\(name)' in '\(item.text)'" + Suggest.didYouMean(name, in: Self.setFieldNames))
        }
    }

    /// Parses a set-field value for `field` and checks the field's prerequisites against the
    /// match, as OpenFlow requires (OFPBAC_MATCH_INCONSISTENT otherwise).
    func setField(_ field: FlowField, _ text: String, name: String, item: ActionItem, vlan: Bool) throws(FlowSyntaxError) -> FlowAction {
        func needs(_ what: String, _ add: String) -> FlowSyntaxError {
            FlowSyntaxError(token: item.text, message: "'\(item.text)' needs \(what) in the match (add \(add))")
        }
        if field == .ethType || field == .ipProto {
            throw FlowSyntaxError(token: item.text, message: "'\(item.text)': \(name) is read-only")
        }
        // A group bucket has no match of its own; the flows that use the group carry it.
        if let match { switch field {
        case .vlanVID, .vlanPCP:
            guard vlan else {
                throw FlowSyntaxError(token: item.text, message: "'\(item.text)' needs a VLAN tag: match one (e.g. 'dl_vlan=10' or 'vlan_tci=0x1000/0x1000') or push one first ('push_vlan:0x8100'), or use mod_vlan_\(field == .vlanVID ? "vid" : "pcp")")
            }
        case .ipv4Src, .ipv4Dst:
            guard match.isIPv4 else { throw needs("ip", "'ip,'") }
        case .ipDSCP, .ipECN:
            guard match.isIPAny else { throw needs("ip or ipv6", "'ip,' or 'ipv6,'") }
        case .ipv6Src, .ipv6Dst:
            guard match.isIPv6 else { throw needs("ipv6", "'ipv6,'") }
        case .tcpSrc, .tcpDst:
            guard match.ipProto == 6 else { throw needs("tcp", "'tcp,' or 'tcp6,'") }
        case .udpSrc, .udpDst:
            guard match.ipProto == 17 else { throw needs("udp", "'udp,' or 'udp6,'") }
        case .icmpv4Type, .icmpv4Code:
            guard match.isIPv4 && match.ipProto == 1 else { throw needs("icmp", "'icmp,'") }
        case .icmpv6Type, .icmpv6Code:
            guard match.isIPv6 && match.ipProto == 58 else { throw needs("icmp6", "'icmp6,'") }
        case .arpOp, .arpSPA, .arpTPA, .arpSHA, .arpTHA:
            guard match.isARP else { throw needs("arp", "'arp,'") }
        case .inPort, .metadata, .ethSrc, .ethDst, .tunnelID, .ethType, .ipProto:
            break
        } }
        if text.contains("/") {
            throw FlowSyntaxError(token: item.text, message: "'\(item.text)': set_field takes no mask")
        }
        let value: FieldValue
        switch field {
        case .ethSrc, .ethDst, .arpSHA, .arpTHA:
            value = FieldValue(try Values.mac(text, for: name).rawValue)
        case .ipv4Src, .ipv4Dst, .arpSPA, .arpTPA:
            value = FieldValue(UInt64(try Values.ipv4(text, for: name).rawValue))
        case .ipv6Src, .ipv6Dst:
            let ip = try Values.ipv6(text, for: name)
            value = FieldValue(high: ip.high, low: ip.low)
        case .inPort:
            value = FieldValue(UInt64(try Values.port(text, field: name, portNames: portNames).rawValue))
        case .vlanVID:
            let v = try Values.integer(text, for: name, max: 0x1FFF)
            guard v & 0x1000 != 0 else {
                throw Values.bad(text, for: "vlan_vid", "set_field wants the VLAN-present bit: write set_field:\(v | 0x1000)->vlan_vid (0x1000|\(v)), or mod_vlan_vid:\(v)")
            }
            value = FieldValue(v)
        default:
            let max = field.fullMask.low
            value = FieldValue(try Values.integer(text, for: name, max: max))
        }
        return .setField(field, value)
    }
}
