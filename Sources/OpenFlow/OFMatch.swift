import Packet

/// `ofp_match` of type OFPMT_OXM: a list of OXM TLVs, padded to 8 bytes on the wire.
public struct OFMatch: Hashable, Sendable, CustomStringConvertible {
    /// `OFPMT_OXM`.
    public static let typeOXM: UInt16 = 1

    public var fields: [OXMField]

    public init(_ fields: [OXMField] = []) { self.fields = fields }

    /// Matches everything.
    public static let all = OFMatch()

    /// The TLV for `field`, if the match has one.
    public subscript(field: FlowField) -> OXMField? {
        fields.first { $0.field == field }
    }

    /// The ofp_match `length` field: header plus TLVs, without the trailing padding.
    public var length: Int {
        var n = 4
        for f in fields { n += f.encodedLength }
        return n
    }

    /// Bytes on the wire, padding included.
    public var encodedLength: Int { roundUp8(length) }

    public var description: String {
        fields.isEmpty ? "any" : fields.map(\.description).joined(separator: ",")
    }

    func encode(into w: inout ByteWriter) {
        let start = w.count
        w.u16(Self.typeOXM)
        w.u16(0)  // length without the padding, written once the TLVs are
        for f in fields { f.encode(into: &w) }
        w.setU16(UInt16(truncatingIfNeeded: w.count - start), at: start + 2)
        w.padTo8(from: start)
    }

    /// Reads an ofp_match and its padding, then checks duplicates and prerequisites.
    static func decode(from r: inout ByteReader) throws(OFDecodeError) -> OFMatch {
        guard r.remaining >= 4 else { throw OFDecodeError(.badMatch(.badLen), "match header truncated") }
        let type = try r.u16()
        let length = Int(try r.u16())
        guard type == typeOXM else { throw OFDecodeError(.badMatch(.badType), "match type \(type) is not OXM") }
        guard length >= 4 else { throw OFDecodeError(.badMatch(.badLen), "match length \(length)") }
        guard roundUp8(length) - 4 <= r.remaining else {
            throw OFDecodeError(.badMatch(.badLen), "match length \(length) overruns the message")
        }
        var body = try r.sub(length - 4, lengthError: .badMatch(.badLen), "match")
        try r.skip(roundUp8(length) - length)
        var fields: [OXMField] = []
        if !body.isAtEnd { fields.reserveCapacity(body.remaining / 6) }
        var seen: UInt64 = 0
        while !body.isAtEnd {
            let f = try OXMField.decode(from: &body, context: .match)
            let bit = UInt64(1) << UInt64(f.field.oxmField)
            guard seen & bit == 0 else { throw OFDecodeError(.badMatch(.dupField), "\(f.field.rawValue) appears twice") }
            seen |= bit
            fields.append(f)
        }
        let match = OFMatch(fields)
        try match.checkPrerequisites()
        return match
    }
}

extension OFMatch {
    /// What the match establishes that other fields' prerequisites ask about, found in one pass.
    struct Established {
        var ethType: UInt64?
        var ipProto: UInt64?
        var vlanPresent = false

        init(_ fields: [OXMField]) {
            for f in fields {
                switch f.field {
                case .ethType where f.mask == nil: ethType = f.value.low
                case .ipProto where f.mask == nil: ipProto = f.value.low
                case .vlanVID:
                    let present = UInt64(OFP.vidPresent)
                    vlanPresent = f.value.low & present != 0 && (f.mask.map { $0.low & present != 0 } ?? true)
                default: break
                }
            }
        }

        func allows(_ field: FlowField) -> Bool {
            switch field {
            case .inPort, .metadata, .ethDst, .ethSrc, .ethType, .vlanVID, .tunnelID: true
            case .vlanPCP: vlanPresent
            case .ipDSCP, .ipECN, .ipProto: ethType == 0x0800 || ethType == 0x86DD
            case .ipv4Src, .ipv4Dst: ethType == 0x0800
            case .tcpSrc, .tcpDst: ipProto == 6
            case .udpSrc, .udpDst: ipProto == 17
            case .icmpv4Type, .icmpv4Code: ipProto == 1
            case .arpOp, .arpSPA, .arpTPA, .arpSHA, .arpTHA: ethType == 0x0806
            case .ipv6Src, .ipv6Dst: ethType == 0x86DD
            case .icmpv6Type, .icmpv6Code: ipProto == 58
            }
        }
    }

    /// Whether this match establishes what matching or setting `field` presupposes
    /// (OpenFlow 1.3.5 §7.2.3.6, table 12): e.g. ipv4_src needs eth_type=0x0800, tcp_src needs
    /// ip_proto=6, vlan_pcp needs a VLAN present. Each field's own prerequisite is checked
    /// separately, so chains (tcp → ip_proto → eth_type) are enforced link by link.
    public func satisfiesPrerequisites(of field: FlowField) -> Bool {
        Established(fields).allows(field)
    }

    /// Throws OFPET_BAD_MATCH/OFPBMC_BAD_PREREQ for the first field whose prerequisite the
    /// match does not establish.
    public func checkPrerequisites() throws(OFDecodeError) {
        let established = Established(fields)
        for f in fields where !established.allows(f.field) {
            throw OFDecodeError(.badMatch(.badPrereq), "\(f.field.rawValue) without its prerequisite")
        }
    }
}
