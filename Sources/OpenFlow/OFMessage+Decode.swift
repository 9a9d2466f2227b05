import Packet

/// A decoded message with the header it came in (its xid is the one to answer with).
public struct OFDecodedMessage: Hashable, Sendable {
    public var header: OFHeader
    public var message: OFMessage

    public init(header: OFHeader, message: OFMessage) { self.header = header; self.message = message }
}

extension OFMessage {
    /// Decodes one whole message (exactly `header.length` bytes, as `OFFramer` delivers them).
    ///
    /// Every problem is an `OFDecodeError` carrying the OFPT_ERROR type and code the spec names:
    /// wrong version → OFPBRC_BAD_VERSION (a HELLO of any version is accepted, for negotiation),
    /// length mismatch → OFPBRC_BAD_LEN, unknown type → OFPBRC_BAD_TYPE, and the match, action,
    /// instruction, flow-mod, group-mod … codes for problems inside.
    public static func decode(_ bytes: [UInt8], options: OFDecodeOptions = .controller)
        throws(OFDecodeError) -> OFDecodedMessage {
        var spare = TLVSpare.exact
        return try decode(bytes.span, options: options, spare: &spare)
    }

    /// Decodes one whole message held in part of a larger buffer (a framer's).
    public static func decode(_ bytes: ArraySlice<UInt8>, options: OFDecodeOptions = .controller)
        throws(OFDecodeError) -> OFDecodedMessage {
        var spare = TLVSpare.exact
        return try decode(bytes.span, options: options, spare: &spare)
    }

    /// Through the span, whose `withUnsafeBytes` throws typed errors, the decoded message is
    /// returned as it is, not wrapped in a `Result` and copied out of it again.
    @inline(__always)
    static func decode(_ bytes: Span<UInt8>, options: OFDecodeOptions,
                       spare: inout TLVSpare) throws(OFDecodeError) -> OFDecodedMessage {
        try bytes.withUnsafeBytes { (raw) throws(OFDecodeError) in try decode(raw, options: options, spare: &spare) }
    }

    @inline(__always)
    private static func decode(_ raw: UnsafeRawBufferPointer, options: OFDecodeOptions,
                               spare: inout TLVSpare) throws(OFDecodeError) -> OFDecodedMessage {
        var r = ByteReader(raw, lengthError: .badRequest(.badLen))
        guard r.remaining >= OFHeader.length else {
            throw OFDecodeError(.badRequest(.badLen), "\(r.remaining) bytes is shorter than a header")
        }
        let h = try r.fixed(OFHeader.length, "header")
        let header = OFHeader(version: h.u8(0), type: h.u8(1), length: h.u16(2), xid: h.u32(4))
        guard header.version == OFP.version || header.type == OFType.hello.rawValue else {
            throw OFDecodeError(.badRequest(.badVersion), "version \(header.version)")
        }
        guard Int(header.length) == r.end else {
            throw OFDecodeError(.badRequest(.badLen), "header length \(header.length), \(r.end) bytes")
        }
        guard let type = header.messageType else {
            throw OFDecodeError(.badRequest(.badType), "message type \(header.type)")
        }
        return OFDecodedMessage(header: header, message: try decodeBody(type, header: header, from: &r, options: options, spare: &spare))
    }

    /// Decodes a message the framer delivered.
    public static func decode(_ frame: OFFrame, options: OFDecodeOptions = .controller)
        throws(OFDecodeError) -> OFDecodedMessage {
        try decode(frame.bytes, options: options)
    }

    /// Inlined, as are `OFFlowMod.decode`, `OFInstructionList.decodeWithMatch` and
    /// `TLVBytes.write` below it: each level copied the decoded message up to the next, and
    /// flat the decoder runs 157 fewer instructions per FLOW_MOD (callgrind).
    @inline(__always)
    private static func decodeBody(_ type: OFType, header: OFHeader, from r: inout ByteReader,
                                   options: OFDecodeOptions, spare: inout TLVSpare) throws(OFDecodeError) -> OFMessage {
        let message: OFMessage
        switch type {
        case .hello:
            message = .hello(try OFHello.decode(version: header.version, from: &r))
        case .error:
            let t = OFErrorType(rawValue: try r.u16())
            let code = try r.u16()
            let experimenter: UInt32? = t == .experimenter ? try r.u32() : nil
            message = .error(OFErrorMessage(OFErrorCode(type: t, code: code), experimenter: experimenter, data: r.rest()))
        case .echoRequest:
            message = .echoRequest(r.rest())
        case .echoReply:
            message = .echoReply(r.rest())
        case .experimenter:
            let id = try r.u32()
            let expType = try r.u32()
            if options.datapathFeaturesOnly {
                throw OFDecodeError(.badRequest(.badExperimenter), "experimenter 0x\(String(id, radix: 16))")
            }
            message = .experimenter(OFExperimenterMessage(experimenter: id, expType: expType, data: r.rest()))
        case .featuresRequest: message = .featuresRequest
        case .getConfigRequest: message = .getConfigRequest
        case .barrierRequest: message = .barrierRequest
        case .barrierReply: message = .barrierReply
        case .getAsyncRequest: message = .getAsyncRequest
        case .featuresReply:
            try r.need(24, "features reply truncated")
            let dpid = try r.u64(), nBuffers = try r.u32(), nTables = try r.u8(), aux = try r.u8()
            try r.skip(2)
            let caps = OFCapabilities(rawValue: try r.u32())
            message = .featuresReply(OFFeaturesReply(datapathID: dpid, nBuffers: nBuffers, nTables: nTables,
                                                     auxiliaryID: aux, capabilities: caps, reserved: try r.u32()))
        case .getConfigReply, .setConfig:
            let config = OFSwitchConfig(flags: OFConfigFlags(rawValue: try r.u16()), missSendLength: try r.u16())
            message = type == .setConfig ? .setConfig(config) : .getConfigReply(config)
        case .packetIn:
            try r.need(16, "packet-in truncated")
            let bufferID = try r.u32(), totalLength = try r.u16()
            let reason = OFPacketInReason(rawValue: try r.u8()), tableID = try r.u8(), cookie = try r.u64()
            let match = try OFMatch.decode(from: &r, spare: &spare)
            try r.skip(2)
            message = .packetIn(OFPacketIn(bufferID: bufferID, totalLength: totalLength, reason: reason, tableID: tableID,
                                           cookie: cookie, match: match, data: r.rest()))
        case .flowRemoved:
            try r.need(40, "flow-removed truncated")
            let cookie = try r.u64(), priority = try r.u16()
            let reason = OFFlowRemovedReason(rawValue: try r.u8()), tableID = try r.u8()
            let sec = try r.u32(), nsec = try r.u32(), idle = try r.u16(), hard = try r.u16()
            let packets = try r.u64(), bytes = try r.u64()
            message = .flowRemoved(OFFlowRemoved(
                cookie: cookie, priority: priority, reason: reason, tableID: tableID, durationSec: sec,
                durationNsec: nsec, idleTimeout: idle, hardTimeout: hard, packetCount: packets, byteCount: bytes,
                match: try OFMatch.decode(from: &r, spare: &spare)))
        case .portStatus:
            let reason = OFPortReason(rawValue: try r.u8())
            try r.skip(7)
            message = .portStatus(OFPortStatus(reason: reason, port: try OFPortDescription.decode(from: &r)))
        case .packetOut:
            try r.need(16, "packet-out truncated")
            let bufferID = try r.u32(), inPort = try r.u32(), actionsLength = Int(try r.u16())
            try r.skip(6)
            var a = try r.sub(actionsLength, lengthError: .badAction(.badLen), "packet-out actions_len overruns")
            let actions = try OFActionList.decode(from: &a, options: options)
            message = .packetOut(OFPacketOut(bufferID: bufferID, inPort: inPort, actions: actions, data: r.rest()))
        case .flowMod:
            message = .flowMod(try OFFlowMod.decode(from: &r, options: options, spare: &spare))
        case .groupMod:
            message = .groupMod(try OFGroupMod.decode(from: &r, options: options))
        case .portMod:
            try r.need(32, "port-mod truncated")
            let port = try r.u32()
            try r.skip(4)
            let mac = try r.mac()
            try r.skip(2)
            let config = OFPortConfig(rawValue: try r.u32()), mask = OFPortConfig(rawValue: try r.u32())
            let advertise = OFPortFeatures(rawValue: try r.u32())
            try r.skip(4)
            guard (port != 0 && port <= OFPortNumber.max) || port == OFPortNumber.local else {
                throw OFDecodeError(.portModFailed(.badPort), "port-mod of port 0x\(String(port, radix: 16))")
            }
            message = .portMod(OFPortMod(portNo: port, hwAddr: mac, config: config, mask: mask, advertise: advertise))
        case .tableMod:
            let table = try r.u8()
            try r.skip(3)
            let config = try r.u32()
            guard table <= options.maxTableID || table == OFTableID.all else {
                throw OFDecodeError(.tableModFailed(.badTable), "table-mod of table \(table)")
            }
            message = .tableMod(OFTableMod(tableID: table, config: config))
        case .multipartRequest:
            message = .multipartRequest(try OFMultipartRequest.decode(from: &r, options: options))
        case .multipartReply:
            message = .multipartReply(try OFMultipartReply.decode(from: &r, options: options))
        case .roleRequest, .roleReply:
            let raw = try r.u32()
            try r.skip(4)
            let generation = try r.u64()
            guard let role = OFControllerRole(rawValue: raw) else {
                throw OFDecodeError(.roleRequestFailed(.badRole), "role \(raw)")
            }
            let m = OFRoleMessage(role: role, generationID: generation)
            message = type == .roleRequest ? .roleRequest(m) : .roleReply(m)
        case .getAsyncReply, .setAsync:
            func masks() throws(OFDecodeError) -> OFAsyncConfig.Masks {
                OFAsyncConfig.Masks(masterEqual: try r.u32(), slave: try r.u32())
            }
            let config = OFAsyncConfig(packetIn: try masks(), portStatus: try masks(), flowRemoved: try masks())
            message = type == .setAsync ? .setAsync(config) : .getAsyncReply(config)
        case .queueGetConfigRequest, .queueGetConfigReply, .meterMod:
            throw OFDecodeError(.badRequest(.badType), "\(type) is not supported")
        }
        guard r.isAtEnd else { throw OFDecodeError(.badRequest(.badLen), "\(r.remaining) bytes after \(type)") }
        return message
    }
}

extension OFHello {
    static func decode(version: UInt8, from r: inout ByteReader) throws(OFDecodeError) -> OFHello {
        // Before 1.3.1 a hello had no elements and its body was to be ignored.
        guard version >= OFP.version else {
            _ = r.rest()
            return OFHello(version: version)
        }
        var elements: [OFHelloElement] = []
        while !r.isAtEnd {
            guard r.remaining >= 4 else { throw OFDecodeError(.badRequest(.badLen), "hello element truncated") }
            let type = try r.u16()
            let length = Int(try r.u16())
            guard length >= 4 else { throw OFDecodeError(.badRequest(.badLen), "hello element length \(length)") }
            var e = try r.sub(length - 4, lengthError: .badRequest(.badLen), "hello element overruns")
            try r.skip(min(roundUp8(length) - length, r.remaining))
            if type == OFHelloElementType.versionBitmap {
                guard e.remaining % 4 == 0 else {
                    throw OFDecodeError(.badRequest(.badLen), "version bitmap length \(length)")
                }
                var words: [UInt32] = []
                while !e.isAtEnd { words.append(try e.u32()) }
                elements.append(.versionBitmap(words))
            } else {
                elements.append(.unknown(type: type, data: e.rest()))
            }
        }
        return OFHello(version: version, elements: elements)
    }
}

extension OFFlowMod {
    /// Transparent: marked inline-always it was called out of line once it took `spare`.
    @_transparent
    static func decode(from r: inout ByteReader, options: OFDecodeOptions, spare: inout TLVSpare) throws(OFDecodeError) -> OFFlowMod {
        let f = try r.fixed(40, "flow-mod truncated")
        let cookie = f.u64(0), cookieMask = f.u64(8)
        let tableID = f.u8(16), rawCommand = f.u8(17)
        let idle = f.u16(18), hard = f.u16(20), priority = f.u16(22)
        let bufferID = f.u32(24), outPort = f.u32(28), outGroup = f.u32(32)
        let rawFlags = f.u16(36)
        guard let command = OFFlowModCommand(rawValue: rawCommand) else {
            throw OFDecodeError(.flowModFailed(.badCommand), "flow-mod command \(rawCommand)")
        }
        let isDelete = command == .delete || command == .deleteStrict
        guard tableID <= options.maxTableID || (isDelete && tableID == OFTableID.all) else {
            throw OFDecodeError(.flowModFailed(.badTableID), "flow-mod table \(tableID)")
        }
        let flags = OFFlowModFlags(rawValue: rawFlags)
        guard OFFlowModFlags.all.isSuperset(of: flags) else {
            throw OFDecodeError(.flowModFailed(.badFlags), "flow-mod flags 0x\(String(rawFlags, radix: 16))")
        }
        let (match, instructions) = try OFInstructionList.decodeWithMatch(from: &r, options: options,
                                                                          in: isDelete ? nil : tableID, spare: &spare)
        return OFFlowMod(cookie: cookie, cookieMask: cookieMask, tableID: tableID, command: command, idleTimeout: idle,
                         hardTimeout: hard, priority: priority, bufferID: bufferID, outPort: outPort,
                         outGroup: outGroup, flags: flags, match: match, instructions: instructions)
    }
}

extension OFBucket {
    static func decodeList(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> [OFBucket] {
        var buckets: [OFBucket] = []
        while !r.isAtEnd {
            let badBucket = OFErrorCode.groupModFailed(.badBucket)
            guard let length = r.peekU16().map(Int.init), length >= 16, length % 8 == 0, length <= r.remaining else {
                throw OFDecodeError(badBucket, "bucket length")
            }
            var b = try r.sub(length, lengthError: badBucket, "bucket")
            try b.skip(2)
            let weight = try b.u16(), watchPort = try b.u32(), watchGroup = try b.u32()
            try b.skip(4)
            buckets.append(OFBucket(weight: weight, watchPort: watchPort, watchGroup: watchGroup,
                                    actions: try OFActionList.decode(from: &b, options: options)))
        }
        return buckets
    }
}

extension OFGroupMod {
    static func decode(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> OFGroupMod {
        let rawCommand = try r.u16(), rawType = try r.u8()
        try r.skip(1)
        let groupID = try r.u32()
        guard let command = OFGroupModCommand(rawValue: rawCommand) else {
            throw OFDecodeError(.groupModFailed(.badCommand), "group-mod command \(rawCommand)")
        }
        guard let type = OFGroupType(rawValue: rawType) else {
            throw OFDecodeError(.groupModFailed(.badType), "group type \(rawType)")
        }
        guard groupID <= OFGroupID.max || (command == .delete && groupID == OFGroupID.all) else {
            throw OFDecodeError(.groupModFailed(.invalidGroup), "group id 0x\(String(groupID, radix: 16))")
        }
        let buckets = try OFBucket.decodeList(from: &r, options: options)
        return OFGroupMod(command: command, type: type, groupID: groupID, buckets: buckets)
    }
}
