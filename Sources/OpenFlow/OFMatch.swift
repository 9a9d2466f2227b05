import Packet

/// `ofp_match` of type OFPMT_OXM: a list of OXM TLVs, padded to 8 bytes on the wire. Holds the
/// fields it was built from, or the TLVs' bytes it was decoded from (see CanonicalTLVs.swift);
/// `fields` reads either.
public struct OFMatch: Hashable, Sendable, CustomStringConvertible {
    /// `OFPMT_OXM`.
    public static let typeOXM: UInt16 = 1

    /// The fields, or the TLVs back to back without the ofp_match header and padding.
    let storage: TLVList<OXMField>

    init(canonical bytes: TLVBytes) { storage = .wire(bytes) }

    public init(_ fields: [OXMField] = []) { storage = .values(fields) }

    /// Matches everything.
    public static let all = OFMatch()

    /// The fields, in the order they were given or came on the wire.
    public var fields: Fields { Fields(storage: storage) }

    /// The TLV for `field`, if the match has one.
    public subscript(field: FlowField) -> OXMField? {
        fields.first { $0.field == field }
    }

    /// The ofp_match `length` field: header plus TLVs, without the trailing padding.
    public var length: Int {
        if let bytes = storage.wire {
            4 + bytes.count
        } else {
            storage.values.reduce(4) { $0 + $1.encodedLength }
        }
    }

    /// Bytes on the wire, padding included.
    public var encodedLength: Int { roundUp8(length) }

    public var description: String {
        fields.isEmpty ? "any" : fields.map(\.description).joined(separator: ",")
    }

    /// Inlined, as are the lists' `encode` and `OXMField.encode`: a FLOW_MOD is encoded in 87
    /// fewer instructions (callgrind).
    @inline(__always)
    func encode(into w: inout ByteWriter) {
        let start = w.count
        // The length, without the padding, is written once the TLVs are.
        w.fixed(4) { o in o.u16(0, Self.typeOXM); o.u16(2, 0) }
        storage.encode(into: &w) { field, w in field.pointee.encode(into: &w) }
        w.patchLength(from: start)
        w.padTo8(from: start)
    }

    /// Reads an ofp_match and its padding, then checks duplicates and prerequisites.
    static func decode(from r: inout ByteReader, spare: inout TLVSpare) throws(OFDecodeError) -> OFMatch {
        let estimate = r.peekU16(at: 2).map(Int.init) ?? 0
        let (bytes, tlvs) = try TLVBytes.write(estimate: estimate, spare: &spare) { (w) throws(OFDecodeError) in
            try decode(from: &r, into: &w)
        }
        return OFMatch(canonical: bytes.slice(tlvs))
    }

    /// Reads an ofp_match and its padding, checks duplicates and prerequisites, and writes the
    /// TLVs to `w` in canonical form; returns where they are in `w`.
    static func decode(from r: inout ByteReader, into w: inout ByteWriter) throws(OFDecodeError) -> Range<Int> {
        guard r.remaining >= 4 else { throw OFDecodeError(.badMatch(.badLen), "match header truncated") }
        let h = try r.fixed(4, "match header truncated")
        let type = h.u16(0), length = Int(h.u16(2))
        guard type == typeOXM else { throw OFDecodeError(.badMatch(.badType), "match type \(type) is not OXM") }
        guard length >= 4 else { throw OFDecodeError(.badMatch(.badLen), "match length \(length)") }
        guard roundUp8(length) - 4 <= r.remaining else {
            throw OFDecodeError(.badMatch(.badLen), "match length \(length) overruns the message")
        }
        var body = try r.sub(length - 4, lengthError: .badMatch(.badLen), "match")
        try r.skip(roundUp8(length) - length)
        let tlvs = body.offset..<body.end
        var seen: UInt64 = 0
        var established = Established()
        while !body.isAtEnd {
            if let header = body.peekU32(), let length = OXMQuickShape.length(ofHeader: header, available: body.remaining) {
                let tlv = body.base.baseAddress! + body.offset
                let number = UInt8(truncatingIfNeeded: header >> 9) & 0x7F, hasMask = header & 0x100 != 0
                let bit = UInt64(1) << UInt64(number)
                if seen & bit == 0 && (!hasMask || OXMQuickShape.valueWithinMask(tlv, width: (length - 4) / 2)) {
                    seen |= bit
                    if !hasMask { established.add(number: number, tlv) }
                    body.offset += length
                    continue
                }
            }
            // OXMField.parse and validate, fused: good TLVs are checked where they lie, and only
            // a bad one is made into a value (to name what is wrong with it).
            let (field, value, mask) = try OXMField.readParts(from: &body, context: .match)
            guard OXMField.isValid(field, value, mask: mask, context: .match) else {
                throw OXMField(field, value, mask: mask).validationError(context: .match)
            }
            let bit = UInt64(1) << UInt64(field.oxmField)
            guard seen & bit == 0 else { throw OFDecodeError(.badMatch(.dupField), "\(field.rawValue) appears twice") }
            seen |= bit
            established.add(field, value.low, mask: mask?.low)
        }
        // Which field lacks its prerequisite is looked for only when one does.
        while seen & ~established.allowed != 0 {
            let number = UInt8(seen.trailingZeroBitCount)
            seen &= seen - 1
            if let field = FlowField(oxmField: number), !established.allows(field) {
                throw OFDecodeError(.badMatch(.badPrereq), "\(field.rawValue) without its prerequisite")
            }
        }
        // A valid OXM TLV has no padding or unused bits: the bytes read are the canonical ones.
        let start = w.count
        w.append(UnsafeRawBufferPointer(rebasing: r.base[tlvs]))
        return start..<w.count
    }
}

extension OFMatch {
    /// The fields of a match.
    public struct Fields: Collection, Sendable {
        let storage: TLVList<OXMField>

        public var startIndex: OFListIndex { storage.startIndex }
        public var endIndex: OFListIndex { storage.endIndex }

        /// A TLV is its 4-byte header and the payload length in the header's last byte.
        public func index(after i: OFListIndex) -> OFListIndex {
            storage.index(after: i) { bytes, offset in 4 + Int(bytes.byte(at: offset + 3)) }
        }

        public subscript(i: OFListIndex) -> OXMField {
            storage.element(at: i) { bytes, offset in
                bytes.readCanonical(at: offset) { (r) throws(OFDecodeError) in try OXMField.parse(from: &r, context: .match) }
            }
        }
    }

    public static func == (a: OFMatch, b: OFMatch) -> Bool {
        a.storage.sameWire(as: b.storage) ?? a.fields.elementsEqual(b.fields)
    }

    public func hash(into hasher: inout Hasher) {
        for f in fields { hasher.combine(f) }
    }
}

extension OFMatch {
    /// What the match establishes that other fields' prerequisites ask about, found in one pass.
    struct Established {
        var ethType: UInt64?
        var ipProto: UInt64?
        var vlanPresent = false

        init() {}

        init(_ fields: Fields) {
            for f in fields { add(f) }
        }

        mutating func add(_ f: OXMField) {
            add(f.field, f.value.low, mask: f.mask?.low)
        }

        @inline(__always)
        mutating func add(_ field: FlowField, _ value: UInt64, mask: UInt64?) {
            switch field {
            case .ethType where mask == nil: ethType = value
            case .ipProto where mask == nil: ipProto = value
            case .vlanVID:
                let present = UInt64(OFP.vidPresent)
                vlanPresent = value & present != 0 && (mask.map { $0 & present != 0 } ?? true)
            default: break
            }
        }

        /// An unmasked plain TLV (`OXMQuickShape`) at `tlv`: eth_type and ip_proto are the
        /// ones that establish something.
        @inline(__always)
        mutating func add(number: UInt8, _ tlv: UnsafeRawPointer) {
            if number == FlowField.ethType.oxmField {
                ethType = UInt64(UInt16(bigEndian: tlv.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
            } else if number == FlowField.ipProto.oxmField {
                ipProto = UInt64(tlv.load(fromByteOffset: 4, as: UInt8.self))
            }
        }

        /// `allows` for every field at once, as a set of OXM field numbers. A test holds the two
        /// to the same answers.
        var allowed: UInt64 {
            func bit(_ f: FlowField) -> UInt64 { 1 << UInt64(f.oxmField) }
            var a = bit(.inPort) | bit(.metadata) | bit(.ethDst) | bit(.ethSrc) | bit(.ethType) | bit(.vlanVID) | bit(.tunnelID)
            if vlanPresent { a |= bit(.vlanPCP) }
            switch ethType {
            case 0x0800: a |= bit(.ipDSCP) | bit(.ipECN) | bit(.ipProto) | bit(.ipv4Src) | bit(.ipv4Dst)
            case 0x86DD: a |= bit(.ipDSCP) | bit(.ipECN) | bit(.ipProto) | bit(.ipv6Src) | bit(.ipv6Dst)
            case 0x0806: a |= bit(.arpOp) | bit(.arpSPA) | bit(.arpTPA) | bit(.arpSHA) | bit(.arpTHA)
            default: break
            }
            switch ipProto {
            case 6: a |= bit(.tcpSrc) | bit(.tcpDst)
            case 17: a |= bit(.udpSrc) | bit(.udpDst)
            case 1: a |= bit(.icmpv4Type) | bit(.icmpv4Code)
            case 58: a |= bit(.icmpv6Type) | bit(.icmpv6Code)
            default: break
            }
            return a
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
    /// match does not establish. A decoded match passed this check when it was decoded.
    public func checkPrerequisites() throws(OFDecodeError) {
        if storage.wire != nil { return }
        let established = Established(fields)
        for f in fields where !established.allows(f.field) {
            throw OFDecodeError(.badMatch(.badPrereq), "\(f.field.rawValue) without its prerequisite")
        }
    }
}
