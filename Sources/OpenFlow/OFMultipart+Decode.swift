extension OFMultipartRequest {
    static func decode(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> OFMultipartRequest {
        let rawType = try r.u16()
        let flags = OFMultipartFlags(rawValue: try r.u16())
        try r.skip(4)
        guard let type = OFMultipartType(rawValue: rawType) else {
            throw OFDecodeError(.badRequest(.badMultipart), "multipart type \(rawType)")
        }
        let body: Body
        switch type {
        case .desc: body = .desc
        case .table: body = .table
        case .portDesc: body = .portDesc
        case .groupDesc: body = .groupDesc
        case .groupFeatures: body = .groupFeatures
        case .flow: body = .flow(try OFFlowStatsRequest.decode(from: &r))
        case .aggregate: body = .aggregate(try OFFlowStatsRequest.decode(from: &r))
        case .portStats:
            let port = try r.u32()
            try r.skip(4)
            body = .portStats(portNo: port)
        case .group:
            let id = try r.u32()
            try r.skip(4)
            body = .group(groupID: id)
        case .tableFeatures:
            var list: [OFTableFeatures] = []
            while !r.isAtEnd { list.append(try OFTableFeatures.decode(from: &r, strict: true)) }
            body = .tableFeatures(list)
        case .experimenter:
            let id = try r.u32(), expType = try r.u32()
            if options.datapathFeaturesOnly {
                throw OFDecodeError(.badRequest(.badExperimenter), "experimenter multipart 0x\(String(id, radix: 16))")
            }
            body = .experimenter(id: id, expType: expType, data: r.rest())
        case .queue, .meter, .meterConfig, .meterFeatures:
            throw OFDecodeError(.badRequest(.badMultipart), "multipart \(type) is not supported")
        }
        return OFMultipartRequest(body, flags: flags)
    }
}

extension OFFlowStatsRequest {
    static func decode(from r: inout ByteReader) throws(OFDecodeError) -> OFFlowStatsRequest {
        try r.need(32, "flow stats request truncated")
        let table = try r.u8()
        try r.skip(3)
        let outPort = try r.u32(), outGroup = try r.u32()
        try r.skip(4)
        let cookie = try r.u64(), cookieMask = try r.u64()
        var exact = TLVSpare.exact
        return OFFlowStatsRequest(tableID: table, outPort: outPort, outGroup: outGroup, cookie: cookie,
                                  cookieMask: cookieMask, match: try OFMatch.decode(from: &r, spare: &exact))
    }
}

extension OFMultipartReply {
    static func decode(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> OFMultipartReply {
        let rawType = try r.u16()
        let flags = OFMultipartFlags(rawValue: try r.u16())
        try r.skip(4)
        guard let type = OFMultipartType(rawValue: rawType) else {
            throw OFDecodeError(.badRequest(.badMultipart), "multipart type \(rawType)")
        }
        let badLen = OFErrorCode.badRequest(.badLen)
        let body: Body
        switch type {
        case .desc:
            body = .desc(OFSwitchDescription(
                manufacturer: try r.fixedString(OFP.descriptionLength), hardware: try r.fixedString(OFP.descriptionLength),
                software: try r.fixedString(OFP.descriptionLength), serialNumber: try r.fixedString(OFP.serialNumberLength),
                datapath: try r.fixedString(OFP.descriptionLength)))
        case .flow:
            var list: [OFFlowStats] = []
            // Each entry's lists in storage of their own size: a reply's entries are kept together.
            var exact = TLVSpare.exact
            while !r.isAtEnd {
                guard let length = r.peekU16().map(Int.init), length >= 56, length <= r.remaining else {
                    throw OFDecodeError(badLen, "flow stats length")
                }
                var f = try r.sub(length, lengthError: badLen, "flow stats")
                try f.skip(2)
                let table = try f.u8()
                try f.skip(1)
                let sec = try f.u32(), nsec = try f.u32(), priority = try f.u16(), idle = try f.u16(), hard = try f.u16()
                let flags = OFFlowModFlags(rawValue: try f.u16())
                try f.skip(4)
                let cookie = try f.u64(), packets = try f.u64(), bytes = try f.u64()
                let (match, instructions) = try OFInstructionList.decodeWithMatch(from: &f, options: options, spare: &exact)
                list.append(OFFlowStats(tableID: table, durationSec: sec, durationNsec: nsec, priority: priority,
                                        idleTimeout: idle, hardTimeout: hard, flags: flags, cookie: cookie,
                                        packetCount: packets, byteCount: bytes, match: match, instructions: instructions))
            }
            body = .flow(list)
        case .aggregate:
            let packets = try r.u64(), bytes = try r.u64(), flows = try r.u32()
            try r.skip(4)
            body = .aggregate(OFAggregateStats(packetCount: packets, byteCount: bytes, flowCount: flows))
        case .table:
            guard r.remaining % OFTableStats.encodedLength == 0 else { throw OFDecodeError(badLen, "table stats length") }
            var list: [OFTableStats] = []
            while !r.isAtEnd {
                let table = try r.u8()
                try r.skip(3)
                list.append(OFTableStats(tableID: table, activeCount: try r.u32(), lookupCount: try r.u64(),
                                         matchedCount: try r.u64()))
            }
            body = .table(list)
        case .portStats:
            guard r.remaining % OFPortStats.encodedLength == 0 else { throw OFDecodeError(badLen, "port stats length") }
            var list: [OFPortStats] = []
            while !r.isAtEnd {
                let port = try r.u32()
                try r.skip(4)
                var c = [UInt64](repeating: 0, count: 12)
                for i in 0..<12 { c[i] = try r.u64() }
                list.append(OFPortStats(portNo: port, rxPackets: c[0], txPackets: c[1], rxBytes: c[2], txBytes: c[3],
                                        rxDropped: c[4], txDropped: c[5], rxErrors: c[6], txErrors: c[7],
                                        rxFrameErrors: c[8], rxOverErrors: c[9], rxCRCErrors: c[10], collisions: c[11],
                                        durationSec: try r.u32(), durationNsec: try r.u32()))
            }
            body = .portStats(list)
        case .portDesc:
            guard r.remaining % OFPortDescription.encodedLength == 0 else { throw OFDecodeError(badLen, "port desc length") }
            var list: [OFPortDescription] = []
            while !r.isAtEnd { list.append(try OFPortDescription.decode(from: &r)) }
            body = .portDesc(list)
        case .group:
            var list: [OFGroupStats] = []
            while !r.isAtEnd {
                guard let length = r.peekU16().map(Int.init), length >= 40, (length - 40) % 16 == 0,
                      length <= r.remaining else {
                    throw OFDecodeError(badLen, "group stats length")
                }
                var g = try r.sub(length, lengthError: badLen, "group stats")
                try g.skip(4)
                let id = try g.u32(), refs = try g.u32()
                try g.skip(4)
                let packets = try g.u64(), bytes = try g.u64(), sec = try g.u32(), nsec = try g.u32()
                var buckets: [OFBucketCounter] = []
                while !g.isAtEnd { buckets.append(OFBucketCounter(packetCount: try g.u64(), byteCount: try g.u64())) }
                list.append(OFGroupStats(groupID: id, refCount: refs, packetCount: packets, byteCount: bytes,
                                         durationSec: sec, durationNsec: nsec, bucketStats: buckets))
            }
            body = .group(list)
        case .groupDesc:
            var list: [OFGroupDescription] = []
            while !r.isAtEnd {
                guard let length = r.peekU16().map(Int.init), length >= 8, length <= r.remaining else {
                    throw OFDecodeError(badLen, "group desc length")
                }
                var g = try r.sub(length, lengthError: badLen, "group desc")
                try g.skip(2)
                let rawType = try g.u8()
                try g.skip(1)
                let id = try g.u32()
                guard let type = OFGroupType(rawValue: rawType) else {
                    throw OFDecodeError(.groupModFailed(.badType), "group type \(rawType)")
                }
                list.append(OFGroupDescription(type: type, groupID: id,
                                               buckets: try OFBucket.decodeList(from: &g, options: options)))
            }
            body = .groupDesc(list)
        case .groupFeatures:
            let types = try r.u32(), caps = OFGroupCapabilities(rawValue: try r.u32())
            var maxGroups: [UInt32] = [], actions: [UInt32] = []
            for _ in 0..<4 { maxGroups.append(try r.u32()) }
            for _ in 0..<4 { actions.append(try r.u32()) }
            body = .groupFeatures(OFGroupFeatures(types: types, capabilities: caps, maxGroups: maxGroups, actions: actions))
        case .tableFeatures:
            var list: [OFTableFeatures] = []
            while !r.isAtEnd { list.append(try OFTableFeatures.decode(from: &r, strict: false)) }
            body = .tableFeatures(list)
        case .experimenter:
            let id = try r.u32(), expType = try r.u32()
            if options.datapathFeaturesOnly {
                throw OFDecodeError(.badRequest(.badExperimenter), "experimenter multipart 0x\(String(id, radix: 16))")
            }
            body = .experimenter(id: id, expType: expType, data: r.rest())
        case .queue, .meter, .meterConfig, .meterFeatures:
            throw OFDecodeError(.badRequest(.badMultipart), "multipart \(type) is not supported")
        }
        return OFMultipartReply(body, flags: flags)
    }
}
