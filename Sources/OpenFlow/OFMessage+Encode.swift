import Packet

extension OFMessage {
    /// The message on the wire, with this xid. Throws only when it would exceed the 16-bit
    /// length field (65535 bytes); split long multipart replies with `fragments(maxMessageLength:)`.
    public func encode(xid: UInt32) throws(OFEncodeError) -> [UInt8] {
        let bytes = encodeUnchecked(xid: xid)
        guard bytes.count <= OFFramer.maxMessageLength else { throw OFEncodeError(length: bytes.count) }
        return bytes
    }

    /// Appends the encoded message to `buffer` (a connection's send buffer, say), which saves
    /// the allocation of a new array per message. On error `buffer` is left as it was.
    ///
    /// The message is written into scratch space on the stack and appended in one copy: cheaper
    /// than zero-filling the buffer's tail to write into it, and no length estimate is needed
    /// (a message larger than the scratch moves the writer to memory of its own as it grows).
    public func encode(xid: UInt32, appendingTo buffer: inout [UInt8]) throws(OFEncodeError) {
        let tooLong = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { scratch -> Int? in
            var w = ByteWriter(into: scratch)
            write(xid: xid, to: &w)
            guard w.count <= OFFramer.maxMessageLength else { return w.count }
            w.withWrittenBytes { buffer.append(contentsOf: $0) }
            return nil
        }
        if let tooLong { throw OFEncodeError(length: tooLong) }
    }

    /// Encodes without the length check (the length field wraps past 65535).
    func encodeUnchecked(xid: UInt32) -> [UInt8] {
        ByteWriter.write(estimate: estimatedLength) { w in write(xid: xid, to: &w) }
    }

    private func write(xid: UInt32, to w: inout ByteWriter) {
        let start = w.count
        let version = if case .hello(let h) = self { h.version } else { OFP.version }
        let type = type.rawValue
        w.fixed(OFHeader.length) { o in o.u8(0, version); o.u8(1, type); o.u16(2, 0); o.u32(4, xid) }
        encodeBody(into: &w)
        w.patchLength(from: start)
    }

    /// A capacity hint so encoding rarely reallocates: exact for the frequent messages.
    var estimatedLength: Int {
        switch self {
        case .echoRequest(let d), .echoReply(let d): 8 + d.count
        case .error(let e): 16 + e.data.count
        case .experimenter(let e): 16 + e.data.count
        case .packetIn(let p): OFPacketIn.lengthBeforeData(match: p.match) + p.data.count
        case .packetOut(let p): 24 + p.actions.encodedLength + p.data.count
        case .flowMod(let f): 48 + f.match.encodedLength + f.instructions.encodedLength
        case .multipartReply(let r):
            switch r.body {
            case .desc: 16 + OFSwitchDescription.encodedLength
            case .flow(let l): 16 + l.reduce(0) { $0 + $1.encodedLength }
            case .portStats(let l): 16 + l.count * OFPortStats.encodedLength
            case .portDesc(let l): 16 + l.count * OFPortDescription.encodedLength
            case .tableFeatures(let l): 16 + l.reduce(0) { $0 + $1.encodedLength }
            case .table(let l): 16 + l.count * OFTableStats.encodedLength
            default: 256
            }
        default: 128
        }
    }

    func encodeBody(into w: inout ByteWriter) {
        switch self {
        case .hello(let h):
            for e in h.elements { e.encode(into: &w) }
        case .error(let e):
            w.u16(e.code.type.rawValue)
            w.u16(e.code.code)
            if e.code.type == .experimenter { w.u32(e.experimenter ?? 0) }
            w.append(e.data)
        case .echoRequest(let d), .echoReply(let d):
            w.append(d)
        case .experimenter(let e):
            w.u32(e.experimenter); w.u32(e.expType); w.append(e.data)
        case .featuresRequest, .getConfigRequest, .barrierRequest, .barrierReply, .getAsyncRequest:
            break
        case .featuresReply(let f):
            w.u64(f.datapathID); w.u32(f.nBuffers); w.u8(f.nTables); w.u8(f.auxiliaryID); w.zeros(2)
            w.u32(f.capabilities.rawValue); w.u32(f.reserved)
        case .getConfigReply(let c), .setConfig(let c):
            w.u16(c.flags.rawValue); w.u16(c.missSendLength)
        case .packetIn(let p):
            w.u32(p.bufferID); w.u16(p.totalLength); w.u8(p.reason.rawValue); w.u8(p.tableID); w.u64(p.cookie)
            p.match.encode(into: &w)
            w.zeros(2)
            w.append(p.data)
        case .flowRemoved(let f):
            w.u64(f.cookie); w.u16(f.priority); w.u8(f.reason.rawValue); w.u8(f.tableID)
            w.u32(f.durationSec); w.u32(f.durationNsec); w.u16(f.idleTimeout); w.u16(f.hardTimeout)
            w.u64(f.packetCount); w.u64(f.byteCount)
            f.match.encode(into: &w)
        case .portStatus(let p):
            w.u8(p.reason.rawValue); w.zeros(7)
            p.port.encode(into: &w)
        case .packetOut(let p):
            w.u32(p.bufferID); w.u32(p.inPort)
            w.u16(UInt16(truncatingIfNeeded: p.actions.encodedLength)); w.zeros(6)
            p.actions.encode(into: &w)
            w.append(p.data)
        case .flowMod(let f):
            w.fixed(40) { o in
                o.u64(0, f.cookie); o.u64(8, f.cookieMask); o.u8(16, f.tableID); o.u8(17, f.command.rawValue)
                o.u16(18, f.idleTimeout); o.u16(20, f.hardTimeout); o.u16(22, f.priority); o.u32(24, f.bufferID)
                o.u32(28, f.outPort); o.u32(32, f.outGroup); o.u16(36, f.flags.rawValue); o.u16(38, 0)
            }
            f.match.encode(into: &w)
            f.instructions.encode(into: &w)
        case .groupMod(let g):
            w.u16(g.command.rawValue); w.u8(g.type.rawValue); w.zeros(1); w.u32(g.groupID)
            for b in g.buckets { b.encode(into: &w) }
        case .portMod(let p):
            w.u32(p.portNo); w.zeros(4); w.mac(p.hwAddr); w.zeros(2)
            w.u32(p.config.rawValue); w.u32(p.mask.rawValue); w.u32(p.advertise.rawValue); w.zeros(4)
        case .tableMod(let t):
            w.u8(t.tableID); w.zeros(3); w.u32(t.config)
        case .multipartRequest(let m):
            w.u16(m.type.rawValue); w.u16(m.flags.rawValue); w.zeros(4)
            m.body.encode(into: &w)
        case .multipartReply(let m):
            w.u16(m.type.rawValue); w.u16(m.flags.rawValue); w.zeros(4)
            m.body.encode(into: &w)
        case .roleRequest(let r), .roleReply(let r):
            w.u32(r.role.rawValue); w.zeros(4); w.u64(r.generationID)
        case .getAsyncReply(let a), .setAsync(let a):
            for m in [a.packetIn, a.portStatus, a.flowRemoved] { w.u32(m.masterEqual); w.u32(m.slave) }
        }
    }
}

extension OFHelloElement {
    func encode(into w: inout ByteWriter) {
        let start = w.count
        switch self {
        case .versionBitmap(let words):
            w.u16(OFHelloElementType.versionBitmap); w.u16(UInt16(truncatingIfNeeded: 4 + 4 * words.count))
            for word in words { w.u32(word) }
        case .unknown(let type, let data):
            w.u16(type); w.u16(UInt16(truncatingIfNeeded: 4 + data.count))
            w.append(data)
        }
        w.padTo8(from: start)
    }
}

extension OFBucket {
    func encode(into w: inout ByteWriter) {
        w.u16(UInt16(truncatingIfNeeded: encodedLength)); w.u16(weight); w.u32(watchPort); w.u32(watchGroup); w.zeros(4)
        actions.encode(into: &w)
    }
}

extension OFFlowStatsRequest {
    func encode(into w: inout ByteWriter) {
        w.u8(tableID); w.zeros(3); w.u32(outPort); w.u32(outGroup); w.zeros(4)
        w.u64(cookie); w.u64(cookieMask)
        match.encode(into: &w)
    }
}

extension OFMultipartRequest.Body {
    func encode(into w: inout ByteWriter) {
        switch self {
        case .desc, .table, .portDesc, .groupDesc, .groupFeatures:
            break
        case .flow(let r), .aggregate(let r):
            r.encode(into: &w)
        case .portStats(let port):
            w.u32(port); w.zeros(4)
        case .group(let id):
            w.u32(id); w.zeros(4)
        case .tableFeatures(let list):
            for t in list { t.encode(into: &w) }
        case .experimenter(let id, let expType, let data):
            w.u32(id); w.u32(expType); w.append(data)
        }
    }
}

extension OFMultipartReply.Body {
    func encode(into w: inout ByteWriter) {
        switch self {
        case .desc(let d):
            w.fixedString(d.manufacturer, length: OFP.descriptionLength)
            w.fixedString(d.hardware, length: OFP.descriptionLength)
            w.fixedString(d.software, length: OFP.descriptionLength)
            w.fixedString(d.serialNumber, length: OFP.serialNumberLength)
            w.fixedString(d.datapath, length: OFP.descriptionLength)
        case .flow(let list):
            for f in list { f.encode(into: &w) }
        case .aggregate(let a):
            w.u64(a.packetCount); w.u64(a.byteCount); w.u32(a.flowCount); w.zeros(4)
        case .table(let list):
            for t in list {
                w.u8(t.tableID); w.zeros(3); w.u32(t.activeCount); w.u64(t.lookupCount); w.u64(t.matchedCount)
            }
        case .portStats(let list):
            for p in list {
                w.u32(p.portNo); w.zeros(4)
                for v in [p.rxPackets, p.txPackets, p.rxBytes, p.txBytes, p.rxDropped, p.txDropped, p.rxErrors,
                          p.txErrors, p.rxFrameErrors, p.rxOverErrors, p.rxCRCErrors, p.collisions] { w.u64(v) }
                w.u32(p.durationSec); w.u32(p.durationNsec)
            }
        case .portDesc(let list):
            for p in list { p.encode(into: &w) }
        case .group(let list):
            for g in list {
                w.u16(UInt16(truncatingIfNeeded: g.encodedLength)); w.zeros(2); w.u32(g.groupID); w.u32(g.refCount)
                w.zeros(4); w.u64(g.packetCount); w.u64(g.byteCount); w.u32(g.durationSec); w.u32(g.durationNsec)
                for b in g.bucketStats { w.u64(b.packetCount); w.u64(b.byteCount) }
            }
        case .groupDesc(let list):
            for g in list {
                w.u16(UInt16(truncatingIfNeeded: g.encodedLength)); w.u8(g.type.rawValue); w.zeros(1); w.u32(g.groupID)
                for b in g.buckets { b.encode(into: &w) }
            }
        case .groupFeatures(let f):
            w.u32(f.types); w.u32(f.capabilities.rawValue)
            for i in 0..<4 { w.u32(i < f.maxGroups.count ? f.maxGroups[i] : 0) }
            for i in 0..<4 { w.u32(i < f.actions.count ? f.actions[i] : 0) }
        case .tableFeatures(let list):
            for t in list { t.encode(into: &w) }
        case .experimenter(let id, let expType, let data):
            w.u32(id); w.u32(expType); w.append(data)
        }
    }
}

extension OFFlowStats {
    func encode(into w: inout ByteWriter) {
        w.u16(UInt16(truncatingIfNeeded: encodedLength)); w.u8(tableID); w.zeros(1)
        w.u32(durationSec); w.u32(durationNsec); w.u16(priority); w.u16(idleTimeout); w.u16(hardTimeout)
        w.u16(flags.rawValue); w.zeros(4); w.u64(cookie); w.u64(packetCount); w.u64(byteCount)
        match.encode(into: &w)
        instructions.encode(into: &w)
    }
}

extension OFMultipartReply {
    /// Splits a list reply into replies whose encoded messages fit `maxMessageLength`, every
    /// one but the last flagged OFPMPF_REPLY_MORE (spec §7.3.5). Single-structure bodies
    /// come back as they are. An element too large for any message still gets one of its own.
    public func fragments(maxMessageLength: Int = OFFramer.maxMessageLength) -> [OFMultipartReply] {
        let budget = maxMessageLength - 16
        func split<T>(_ items: [T], _ length: (T) -> Int, _ make: ([T]) -> Body) -> [OFMultipartReply] {
            var parts: [[T]] = []
            var current: [T] = [], used = 0
            for item in items {
                let n = length(item)
                if !current.isEmpty && used + n > budget {
                    parts.append(current); current = []; used = 0
                }
                current.append(item); used += n
            }
            parts.append(current)
            return parts.enumerated().map { i, part in
                OFMultipartReply(make(part), flags: i < parts.count - 1 ? flags.union(.more) : flags)
            }
        }
        switch body {
        case .flow(let l): return split(l, \.encodedLength) { .flow($0) }
        case .table(let l): return split(l, { _ in OFTableStats.encodedLength }) { .table($0) }
        case .portStats(let l): return split(l, { _ in OFPortStats.encodedLength }) { .portStats($0) }
        case .portDesc(let l): return split(l, { _ in OFPortDescription.encodedLength }) { .portDesc($0) }
        case .group(let l): return split(l, \.encodedLength) { .group($0) }
        case .groupDesc(let l): return split(l, \.encodedLength) { .groupDesc($0) }
        case .tableFeatures(let l): return split(l, \.encodedLength) { .tableFeatures($0) }
        case .desc, .aggregate, .groupFeatures, .experimenter: return [self]
        }
    }
}
