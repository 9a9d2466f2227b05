import Packet
import Testing
@testable import OpenFlow

@Suite struct OFRoundTripTests {
    static let names = SampleMessages.all.map(\.0)

    /// encode → decode gives the same message and header, and the length field is the byte count.
    @Test(arguments: SampleMessages.all.indices)
    func roundTrip(index: Int) throws {
        let (name, message) = SampleMessages.all[index]
        let xid = UInt32(0x1000 + index)
        let bytes = try message.encode(xid: xid)
        #expect(Int(bytes[2]) << 8 | Int(bytes[3]) == bytes.count, "\(name)")
        #expect(bytes[1] == message.type.rawValue, "\(name)")
        let decoded = try OFMessage.decode(bytes)
        #expect(decoded.message == message, "\(name)")
        #expect(decoded.header.xid == xid)
        #expect(decoded.header.version == 4)
        // Re-encoding the decoded message gives the same bytes.
        #expect(try decoded.message.encode(xid: xid) == bytes, "\(name)")
    }

    /// Everything the SwiftSDN datapath implements also decodes under the strict options.
    @Test func datapathOptionsAcceptSupportedMessages() throws {
        for (name, message) in SampleMessages.all where name != "experimenter" {
            let bytes = try message.encode(xid: 1)
            #expect(throws: Never.self, "\(name)") { try OFMessage.decode(bytes, options: .datapath) }
        }
    }

    @Test func everyActionAndInstructionRoundTrips() throws {
        let actions: [OFAction] = SampleMessages.allActions + [
            .copyTTLOut, .copyTTLIn, .setMPLSTTL(3), .decMPLSTTL, .pushMPLS(ethertype: 0x8847), .popMPLS(ethertype: 0x0800),
            .pushPBB(ethertype: 0x88E7), .popPBB, .experimenter(id: 0x2320, data: [0, 1, 2, 3, 4, 5, 6, 7]),
            .setField(OXMField(.metadata, 5)), .setField(.tunnelID(99)), .setField(OXMField(.ipECN, 2)),
        ]
        let instructions: [OFInstruction] = [
            .gotoTable(5), .meter(1), .writeActions(OFActionList(actions)), .experimenter(id: 0xFF, data: [1, 2, 3, 4, 5, 6, 7, 8]),
        ]
        let message = OFMessage.flowMod(OFFlowMod(tableID: 1, instructions: OFInstructionList(instructions)))
        let bytes = try message.encode(xid: 9)
        #expect(try OFMessage.decode(bytes).message == message)
        for a in actions { #expect(a.encodedLength % 8 == 0) }
        // Strict options refuse what the datapath lacks, with the spec's codes.
        #expect(throws: OFDecodeError.self) { try OFMessage.decode(bytes, options: .datapath) }
        let mpls = try OFMessage.flowMod(OFFlowMod(instructions: [.applyActions([.pushMPLS(ethertype: 0x8847)])])).encode(xid: 1)
        #expect(decodeError(mpls, .datapath) == .badAction(.badType))
        let meter = try OFMessage.flowMod(OFFlowMod(instructions: [.meter(1)])).encode(xid: 1)
        #expect(decodeError(meter, .datapath) == .badInstruction(.unsupInst))
        let expInst = try OFMessage.flowMod(OFFlowMod(instructions: [.experimenter(id: 1, data: [])])).encode(xid: 1)
        #expect(decodeError(expInst, .datapath) == .badInstruction(.badExperimenter))
        let expAction = try OFMessage.packetOut(OFPacketOut(actions: [.experimenter(id: 1, data: [])])).encode(xid: 1)
        #expect(decodeError(expAction, .datapath) == .badAction(.badExperimenter))
        let exp = try OFMessage.experimenter(OFExperimenterMessage(experimenter: 1, expType: 2)).encode(xid: 1)
        #expect(decodeError(exp, .datapath) == .badRequest(.badExperimenter))
        let mpExp = try OFMessage.multipartRequest(OFMultipartRequest(.experimenter(id: 1, expType: 2, data: []))).encode(xid: 1)
        #expect(decodeError(mpExp, .datapath) == .badRequest(.badExperimenter))
        #expect(try OFMessage.decode(mpExp).message == .multipartRequest(OFMultipartRequest(.experimenter(id: 1, expType: 2, data: []))))
    }

    @Test func errorBuilderCarriesFirst64Bytes() throws {
        let offending = try OFMessage.flowMod(SampleMessages.flowModRich).encode(xid: 77)
        #expect(offending.count > 64)
        let e = OFMessage.error(type: .badMatch, code: OFBadMatchCode.badPrereq.rawValue, offending: offending)
        guard case .error(let body) = e else { Issue.record("not an error"); return }
        #expect(body.data == Array(offending.prefix(64)))
        let short: [UInt8] = [4, 2, 0, 8, 0, 0, 0, 5]
        guard case .error(let body2) = OFMessage.error(.badRequest(.badType), offending: short) else { return }
        #expect(body2.data == short)
        // reply(to:) answers with the offending xid and decodes back.
        let reply = OFDecodeError(.badMatch(.badPrereq), "x").reply(to: offending)
        let decoded = try OFMessage.decode(reply)
        #expect(decoded.header.xid == 77)
        #expect(decoded.message == e)
        #expect(reply[8...11] == [0, 4, 0, 9])
        // Experimenter errors carry the experimenter id.
        let expError = OFMessage.error(OFErrorMessage(OFErrorCode(type: .experimenter, code: 2300),
                                                      experimenter: OFP.onfExperimenterID, data: [1]))
        #expect(try OFMessage.decode(try expError.encode(xid: 3)).message == expError)
        #expect("\(OFErrorCode.badMatch(.badPrereq))" == "OFPET_BAD_MATCH/OFPBMC_BAD_PREREQ")
        #expect("\(OFErrorCode.flowModFailed(.badTableID))" == "OFPET_FLOW_MOD_FAILED/OFPFMFC_BAD_TABLE_ID")
    }

    @Test func helloNegotiation() throws {
        let ours = OFHello.openFlow13
        // A 1.5 peer offering 1.0, 1.3, 1.5 by bitmap.
        let peer = OFHello(versions: [1, 4, 6])
        #expect(ours.negotiatedVersion(with: peer) == 4)
        #expect(throws: Never.self) { try peer.requireOpenFlow13() }
        // A 1.5 hello without bitmap: min(6, 4) = 4.
        #expect(ours.negotiatedVersion(with: OFHello(version: 6)) == 4)
        // A 1.0-only peer.
        let old = OFHello(version: 1)
        #expect(ours.negotiatedVersion(with: old) == nil)
        let failure = #expect(throws: OFDecodeError.self) { try old.requireOpenFlow13() }
        #expect(failure?.code == .helloFailed(.incompatible))
        #expect(throws: OFDecodeError.self) { try OFHello(versions: [1, 6]).requireOpenFlow13() }
        // A hello of another version decodes (it is how negotiation starts), with its bitmap.
        let bytes = try OFMessage.hello(peer).encode(xid: 5)
        #expect(bytes[0] == 6)
        #expect(try OFMessage.decode(bytes).message == .hello(peer))
        // A 1.0 hello with a body: the body is ignored.
        let v1: [UInt8] = [1, 0, 0, 12, 0, 0, 0, 1, 0xDE, 0xAD, 0xBE, 0xEF]
        #expect(try OFMessage.decode(v1).message == .hello(OFHello(version: 1)))
        // Unknown elements are kept (and ignored by negotiation).
        let unknown = OFHello(elements: [.unknown(type: 9, data: [1, 2, 3]), .versionBitmap([0x10])])
        #expect(try OFMessage.decode(try OFMessage.hello(unknown).encode(xid: 1)).message == .hello(unknown))
        #expect(unknown.offeredVersions == [4])
    }

    @Test func multipartFragmentsAndReassembly() throws {
        let flows = (0..<2000).map { i in
            OFFlowStats(tableID: 0, priority: UInt16(i), match: SampleMessages.tcpMatch,
                        instructions: [.applyActions([.output(port: UInt32(i % 10 + 1))])])
        }
        let reply = OFMultipartReply(.flow(flows))
        let parts = reply.fragments()
        #expect(parts.count > 1)
        var merged: OFMultipartReply.Body?
        for (i, part) in parts.enumerated() {
            let bytes = try OFMessage.multipartReply(part).encode(xid: 1)
            #expect(bytes.count <= OFFramer.maxMessageLength)
            #expect(part.flags.contains(.more) == (i < parts.count - 1))
            guard case .multipartReply(let back) = try OFMessage.decode(bytes).message else { return }
            merged = merged.map { $0.appending(back.body)! } ?? back.body
        }
        #expect(merged == reply.body)
        // The unsplit reply is too long for one message.
        #expect(throws: OFEncodeError.self) { try OFMessage.multipartReply(reply).encode(xid: 1) }
        // 254 tables of features do not fit one message either; fragments do.
        let tables = (0..<254).map { OFTableFeatures.standard(tableID: UInt8($0), tableCount: 254) }
        for part in OFMultipartReply(.tableFeatures(tables)).fragments() {
            let bytes = try OFMessage.multipartReply(part).encode(xid: 2)
            _ = try OFMessage.decode(bytes)
        }
    }

    /// Appending to a send buffer gives the same bytes as `encode(xid:)`, after what was there.
    @Test func encodeAppendingToBuffer() throws {
        var buffer: [UInt8] = [0xAA, 0xBB]
        var expected = buffer
        for (i, (_, message)) in SampleMessages.all.enumerated() {
            try message.encode(xid: UInt32(i), appendingTo: &buffer)
            expected += try message.encode(xid: UInt32(i))
        }
        #expect(buffer == expected)
        // Too long: the buffer is left as it was.
        let before = buffer
        #expect(throws: OFEncodeError.self) {
            try OFMessage.echoRequest([UInt8](repeating: 0, count: 70000)).encode(xid: 1, appendingTo: &buffer)
        }
        #expect(buffer == before)
    }

    /// Messages larger than the encoder's size estimate (which then grows its buffer).
    @Test func encodeBeyondTheEstimate() throws {
        let hello = OFMessage.hello(OFHello(elements: [.unknown(type: 7, data: [UInt8](repeating: 0x5A, count: 1000)),
                                                       .versionBitmap([0x10])]))
        let bytes = try hello.encode(xid: 4)
        #expect(bytes.count == 8 + 1008 + 8)
        #expect(try OFMessage.decode(bytes).message == hello)
        var buffer: [UInt8] = [1]
        try hello.encode(xid: 4, appendingTo: &buffer)
        #expect(buffer == [1] + bytes)
        let groups = OFMessage.multipartReply(OFMultipartReply(.groupDesc((0..<50).map {
            OFGroupDescription(type: .all, groupID: UInt32($0), buckets: SampleMessages.buckets)
        })))
        #expect(try OFMessage.decode(try groups.encode(xid: 1)).message == groups)
    }

    /// Fixed parts (headers, OXM TLVs, output actions) are written after one capacity check
    /// each: flow-mods whose parts fall across the end of the encoder's 512-byte scratch space
    /// at every alignment give the same bytes appended as encoded on their own, and decode back.
    @Test func fixedPartsAcrossTheScratchBoundary() throws {
        let fields: [OXMField] = [.inPort(3), .ethType(0x0800), .ipProto(6), .ipv4Src(IPv4Address(rawValue: 0x0A00_0000), prefix: 24),
                                  .ipv4Dst(IPv4Address(rawValue: 0x0A00_0002)), .tcpDst(80),
                                  .ethSrc(MACAddress(rawValue: 0x0200_0000_0000), mask: MACAddress(rawValue: 0xFFFF_FF00_0000))]
        var crossings = 0
        for matched in 0...fields.count {
            for outputs in 1...40 {
                let mod = OFFlowMod(cookie: UInt64(outputs), match: OFMatch(Array(fields.prefix(matched))),
                                    instructions: [.applyActions(OFActionList((0..<outputs).map { .output(port: UInt32($0 + 1)) }))])
                let message = OFMessage.flowMod(mod)
                var appended: [UInt8] = [0xEE]
                try message.encode(xid: 9, appendingTo: &appended)
                let alone = try message.encode(xid: 9)
                #expect(appended == [0xEE] + alone)
                #expect(try OFMessage.decode(alone, options: .datapath).message == message)
                if alone.count > 512 && alone.count < 512 + 16 * outputs { crossings += 1 }
            }
        }
        #expect(crossings > 100)
    }

    @Test func tableFeaturesStandardContents() {
        let t = OFTableFeatures.standard(tableID: 0, tableCount: 3)
        #expect(t.properties.contains(.nextTables([1, 2], miss: false)))
        #expect(t.properties.contains(.instructions([1, 2, 3, 4, 5], miss: false)))
        let last = OFTableFeatures.standard(tableID: 2, tableCount: 3)
        #expect(last.properties.contains(.nextTables([], miss: false)))
        #expect(last.properties.contains(.instructions([2, 3, 4, 5], miss: true)))
        let edge = OFTableFeatures.standard(tableID: 254, tableCount: 1000)
        #expect(edge.properties.contains(.nextTables([], miss: false)))
        #expect(t.encodedLength % 8 == 0)
    }
}

func decodeError(_ bytes: [UInt8], _ options: OFDecodeOptions = .controller) -> OFErrorCode? {
    do {
        _ = try OFMessage.decode(bytes, options: options)
        return nil
    } catch {
        return error.code
    }
}
