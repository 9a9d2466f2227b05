import Packet

/// `ofp_action_type`.
public enum OFActionType: UInt16, Sendable, CaseIterable {
    case output = 0
    case copyTTLOut = 11, copyTTLIn = 12
    case setMPLSTTL = 15, decMPLSTTL = 16
    case pushVLAN = 17, popVLAN = 18, pushMPLS = 19, popMPLS = 20
    case setQueue = 21, group = 22, setNwTTL = 23, decNwTTL = 24, setField = 25
    case pushPBB = 26, popPBB = 27
    case experimenter = 0xFFFF
}

/// One OpenFlow 1.3 action (spec §7.2.5). Every action is a multiple of 8 bytes on the wire.
public enum OFAction: Hashable, Sendable {
    /// `port` may be a reserved port; `maxLength` bytes go to the controller (OFPCML_NO_BUFFER = all).
    case output(port: UInt32, maxLength: UInt16 = OFP.controllerNoBuffer)
    case copyTTLOut
    case copyTTLIn
    case setMPLSTTL(UInt8)
    case decMPLSTTL
    /// Ethertype 0x8100 or 0x88a8.
    case pushVLAN(ethertype: UInt16)
    case popVLAN
    case pushMPLS(ethertype: UInt16)
    case popMPLS(ethertype: UInt16)
    case setQueue(UInt32)
    case group(UInt32)
    case setNwTTL(UInt8)
    case decNwTTL
    /// One unmasked OXM field; `vlan_vid` carries OFPVID_PRESENT.
    case setField(OXMField)
    case pushPBB(ethertype: UInt16)
    case popPBB
    /// Experimenter id and the bytes after it (the encoder zero-pads them to a multiple of 8).
    case experimenter(id: UInt32, data: [UInt8])

    public var type: OFActionType {
        switch self {
        case .output: .output
        case .copyTTLOut: .copyTTLOut
        case .copyTTLIn: .copyTTLIn
        case .setMPLSTTL: .setMPLSTTL
        case .decMPLSTTL: .decMPLSTTL
        case .pushVLAN: .pushVLAN
        case .popVLAN: .popVLAN
        case .pushMPLS: .pushMPLS
        case .popMPLS: .popMPLS
        case .setQueue: .setQueue
        case .group: .group
        case .setNwTTL: .setNwTTL
        case .decNwTTL: .decNwTTL
        case .setField: .setField
        case .pushPBB: .pushPBB
        case .popPBB: .popPBB
        case .experimenter: .experimenter
        }
    }

    /// Bytes on the wire.
    public var encodedLength: Int {
        switch self {
        case .output: 16
        case .setField(let f): roundUp8(4 + f.encodedLength)
        case .experimenter(_, let data): roundUp8(8 + data.count)
        default: 8
        }
    }

    func encode(into w: inout ByteWriter) {
        switch self {
        case .output(let port, let maxLength):
            Self.encodeOutput(port: port, maxLength: maxLength, into: &w)
        case .copyTTLOut, .copyTTLIn, .decMPLSTTL, .popVLAN, .decNwTTL, .popPBB:
            write(into: &w) { w in w.zeros(4) }
        case .setMPLSTTL(let ttl), .setNwTTL(let ttl):
            write(into: &w) { w in w.u8(ttl); w.zeros(3) }
        case .pushVLAN(let e), .pushMPLS(let e), .popMPLS(let e), .pushPBB(let e):
            write(into: &w) { w in w.u16(e); w.zeros(2) }
        case .setQueue(let id), .group(let id):
            write(into: &w) { w in w.u32(id) }
        case .setField(let f):
            write(into: &w) { w in f.encode(into: &w) }
        case .experimenter(let id, let data):
            write(into: &w) { w in w.u32(id); w.append(data) }
        }
    }

    /// The action's header, what `body` writes, padding to 8 bytes, and the length patched in.
    @inline(__always)
    private func write(into w: inout ByteWriter, _ body: (inout ByteWriter) -> Void) {
        let start = w.count
        w.u16(type.rawValue)
        w.u16(0)
        body(&w)
        w.padTo8(from: start)
        w.patchLength(from: start)
    }

    /// An output action, the action nearly every flow has: written with its length known, where
    /// the others have theirs patched in once their bodies are written.
    @inline(__always)
    static func encodeOutput(port: UInt32, maxLength: UInt16, into w: inout ByteWriter) {
        w.fixed(16) { o in
            o.u16(0, OFActionType.output.rawValue); o.u16(2, 16)
            o.u32(4, port); o.u16(8, maxLength); o.u16(10, 0); o.u32(12, 0)
        }
    }

    /// Actions the SwiftSDN datapath does not implement.
    var isDatapathUnsupported: Bool {
        switch self {
        case .copyTTLOut, .copyTTLIn, .setMPLSTTL, .decMPLSTTL, .pushMPLS, .popMPLS, .pushPBB, .popPBB: true
        default: false
        }
    }
}

extension OFAction {
    /// Reads actions filling all of `r`, checking each against `options`, and writes them to
    /// `w` in canonical form.
    static func decodeList(from r: inout ByteReader, options: OFDecodeOptions,
                           into w: inout ByteWriter) throws(OFDecodeError) {
        while !r.isAtEnd {
            let (type, length) = try shape(of: r)
            if type == OFActionType.output.rawValue && length == 16 {
                // The action nearly every flow has, read where it lies and written back without
                // becoming a value first.
                let a = try r.fixed(16, "action")
                let port = a.u32(4), maxLength = a.u16(8)
                try validateOutput(port: port, maxLength: maxLength)
                encodeOutput(port: port, maxLength: maxLength, into: &w)
                continue
            }
            let action = try parse(from: &r)
            try action.validate(options: options)
            action.encode(into: &w)
        }
    }

    /// The type and length of the action at `r`, checked (`ByteReader.typeLengthHeader`).
    @inline(__always)
    static func shape(of r: ByteReader) throws(OFDecodeError) -> (type: UInt16, length: Int) {
        try r.typeLengthHeader(.badAction(.badLen), "action")
    }

    /// Reads one action, checking only its shape: type and lengths. Bytes this codec encoded
    /// always pass, whatever values they hold; `validate` judges those.
    static func parse(from r: inout ByteReader) throws(OFDecodeError) -> OFAction {
        let (type, length) = try shape(of: r)
        var a = try r.sub(length, lengthError: .badAction(.badLen), "action")
        try a.skip(4)
        func fixed(_ n: Int) throws(OFDecodeError) {
            guard length == n else { throw OFDecodeError(.badAction(.badLen), "action type \(type) length \(length)") }
        }
        switch OFActionType(rawValue: type) {
        case .output:
            try fixed(16)
            return .output(port: try a.u32(), maxLength: try a.u16())
        case .copyTTLOut: try fixed(8); return .copyTTLOut
        case .copyTTLIn: try fixed(8); return .copyTTLIn
        case .setMPLSTTL: try fixed(8); return .setMPLSTTL(try a.u8())
        case .decMPLSTTL: try fixed(8); return .decMPLSTTL
        case .pushVLAN: try fixed(8); return .pushVLAN(ethertype: try a.u16())
        case .popVLAN: try fixed(8); return .popVLAN
        case .pushMPLS: try fixed(8); return .pushMPLS(ethertype: try a.u16())
        case .popMPLS: try fixed(8); return .popMPLS(ethertype: try a.u16())
        case .setQueue: try fixed(8); return .setQueue(try a.u32())
        case .group: try fixed(8); return .group(try a.u32())
        case .setNwTTL: try fixed(8); return .setNwTTL(try a.u8())
        case .decNwTTL: try fixed(8); return .decNwTTL
        case .setField:
            var oxm = try a.sub(a.remaining, lengthError: .badAction(.badSetLen), "set-field")
            let f = try OXMField.parse(from: &oxm, context: .setField)
            // The action is exactly its header, one TLV and zero padding to 8.
            guard length == roundUp8(4 + f.encodedLength) else {
                throw OFDecodeError(.badAction(.badSetLen), "set-field length \(length)")
            }
            return .setField(f)
        case .pushPBB: try fixed(8); return .pushPBB(ethertype: try a.u16())
        case .popPBB: try fixed(8); return .popPBB
        case .experimenter:
            return .experimenter(id: try a.u32(), data: a.rest())
        case nil:
            throw OFDecodeError(.badAction(.badType), "unknown action type \(type)")
        }
    }

    @inline(__always)
    static func validateOutput(port: UInt32, maxLength: UInt16) throws(OFDecodeError) {
        guard OFPortNumber.isValidOutput(port) else {
            throw OFDecodeError(.badAction(.badOutPort), "output to port 0x\(String(port, radix: 16))")
        }
        if port == OFPortNumber.controller, maxLength > OFP.controllerMaxLength, maxLength != OFP.controllerNoBuffer {
            throw OFDecodeError(.badAction(.badArgument), "output max_len \(maxLength)")
        }
    }

    /// Checks the action's arguments, and that the datapath (per `options`) implements it.
    func validate(options: OFDecodeOptions) throws(OFDecodeError) {
        switch self {
        case .output(let port, let maxLength):
            try Self.validateOutput(port: port, maxLength: maxLength)
        case .pushVLAN(let e) where e != 0x8100 && e != 0x88A8:
            throw OFDecodeError(.badAction(.badArgument), "push_vlan ethertype 0x\(String(e, radix: 16))")
        case .pushMPLS(let e) where e != 0x8847 && e != 0x8848:
            throw OFDecodeError(.badAction(.badArgument), "push_mpls ethertype 0x\(String(e, radix: 16))")
        case .pushPBB(let e) where e != 0x88E7:
            throw OFDecodeError(.badAction(.badArgument), "push_pbb ethertype 0x\(String(e, radix: 16))")
        case .group(let g) where g > OFGroupID.max:
            throw OFDecodeError(.badAction(.badOutGroup), "group action to 0x\(String(g, radix: 16))")
        case .setField(let f):
            try f.validate(context: .setField)
        case .experimenter(let id, _) where options.datapathFeaturesOnly:
            throw OFDecodeError(.badAction(.badExperimenter), "experimenter action 0x\(String(id, radix: 16))")
        default:
            break
        }
        if options.datapathFeaturesOnly && isDatapathUnsupported {
            throw OFDecodeError(.badAction(.badType), "action \(type) not supported by this datapath")
        }
    }
}
