import OpenFlow
import Packet

/// Conversions between the OpenFlow wire model and the switch's flow model. Anything the switch
/// cannot do is refused with the OpenFlow error the spec names for it.
public enum OFTranslation {
    // MARK: Match

    public static func match(_ of: OFMatch) throws(OFDecodeError) -> FlowMatch {
        try of.checkPrerequisites()
        var m = FlowMatch()
        for oxm in of.fields {
            if oxm.field == .vlanVID && oxm.mask == nil && oxm.value.low == UInt64(OFP.vidNone) {
                m.set(.vlanVID, 0)  // OFPVID_NONE: untagged frames only
                continue
            }
            m.set(oxm.field, oxm.value, mask: oxm.mask ?? oxm.field.fullMask)
        }
        return m
    }

    /// The OXM fields of a match, choosing between fields that share bits in the key (TCP vs
    /// UDP ports, ICMPv4 vs ICMPv6, IPv4 vs ARP addresses) by eth_type and ip_proto.
    public static func ofMatch(_ m: FlowMatch) -> OFMatch {
        let ethType = m.valueOf(.ethType).low
        let proto = m.valueOf(.ipProto).low
        let isARP = ethType == UInt64(EtherType.arp)
        let isV6 = ethType == UInt64(EtherType.ipv6)
        var fields: [OXMField] = []
        for field in FlowField.allCases where !m.isWildcarded(field) {
            switch field {
            case .ipv4Src, .ipv4Dst: if isARP { continue }
            case .arpSPA, .arpTPA: if !isARP { continue }
            case .arpSHA, .arpTHA: if !isARP { continue }
            case .tcpSrc, .tcpDst: if proto != UInt64(IPProtocol.tcp) { continue }
            case .udpSrc, .udpDst: if proto != UInt64(IPProtocol.udp) { continue }
            case .icmpv4Type, .icmpv4Code: if isV6 { continue }
            case .icmpv6Type, .icmpv6Code: if !isV6 { continue }
            default: break
            }
            let mask = m.maskOf(field)
            fields.append(OXMField(field, m.valueOf(field), mask: mask == field.fullMask ? nil : mask))
        }
        return OFMatch(fields)
    }

    // MARK: Actions and instructions

    public static func action(_ a: OFAction) throws(OFDecodeError) -> FlowAction {
        switch a {
        case .output(let port, let maxLength):
            guard port != OFPortNumber.any, port != 0 else {
                throw OFDecodeError(.badAction(.badOutPort), "output to port \(port)")
            }
            // max_len only means something for CONTROLLER (spec §7.2.5); keep others canonical.
            return .output(PortNumber(port), maxLength: port == OFPortNumber.controller ? maxLength : 0xFFFF)
        case .pushVLAN(let ethertype):
            guard ethertype == EtherType.vlan || ethertype == EtherType.qinq else {
                throw OFDecodeError(.badAction(.badArgument), "push_vlan ethertype 0x\(String(ethertype, radix: 16))")
            }
            return .pushVLAN(ethertype)
        case .popVLAN: return .popVLAN
        case .group(let id): return .group(id)
        case .decNwTTL: return .decTTL
        case .setField(let oxm):
            guard !oxm.field.isReadOnly, oxm.field != .ethType, oxm.field != .ipProto else {
                throw OFDecodeError(.badAction(.badSetType), "set_field of read-only \(oxm.field.rawValue)")
            }
            return .setField(oxm.field, oxm.value)
        default:
            throw OFDecodeError(.badAction(.badType), "action \(a.type) is not supported by this switch")
        }
    }

    public static func ofAction(_ a: FlowAction) -> OFAction {
        switch a {
        case .output(let port, let maxLength): .output(port: port.rawValue, maxLength: maxLength)
        case .setField(let f, let v): .setField(OXMField(f, v))
        case .pushVLAN(let t): .pushVLAN(ethertype: t)
        case .popVLAN: .popVLAN
        // OpenFlow 1.3 has no "push if untagged": the closest single action is the set-field.
        case .modVLANVID(let vid): .setField(OXMField(.vlanVID, UInt64(OFP.vidPresent | vid)))
        case .modVLANPCP(let pcp): .setField(OXMField(.vlanPCP, UInt64(pcp)))
        case .decTTL: .decNwTTL
        case .group(let g): .group(g)
        }
    }

    public static func instructions(_ list: OFInstructionList) throws(OFDecodeError) -> Instructions {
        var ins = Instructions()
        for i in list {
            switch i {
            case .gotoTable(let t): ins.gotoTable = t
            case .writeMetadata(let v, let m): ins.writeMetadata = (v, m)
            case .writeActions(let a): ins.writeActions = try actions(a)
            case .applyActions(let a): ins.applyActions = try actions(a)
            case .clearActions: ins.clearActions = true
            case .meter: throw OFDecodeError(.badInstruction(.unsupInst), "meters are not supported")
            case .experimenter: throw OFDecodeError(.badInstruction(.unknownInst), "experimenter instruction")
            }
        }
        return ins
    }

    public static func actions(_ list: OFActionList) throws(OFDecodeError) -> [FlowAction] {
        var out: [FlowAction] = []
        for a in list { out.append(try action(a)) }
        return out
    }

    public static func ofInstructions(_ ins: Instructions) -> OFInstructionList {
        var out: [OFInstruction] = []
        if let a = ins.applyActions { out.append(.applyActions(OFActionList(a.lazy.map(ofAction)))) }
        if ins.clearActions { out.append(.clearActions) }
        if let w = ins.writeActions { out.append(.writeActions(OFActionList(w.lazy.map(ofAction)))) }
        if let m = ins.writeMetadata { out.append(.writeMetadata(value: m.value, mask: m.mask)) }
        if let g = ins.gotoTable { out.append(.gotoTable(g)) }
        return OFInstructionList(out)
    }
}
