import Packet
import Testing
@testable import OpenFlow

/// Matches, action lists and instruction lists hold the values they were built from or the
/// canonical wire bytes they were decoded from: either way they must give back exactly the
/// values (experimenter data a multiple of 8 bytes: the wire cannot tell padding from data),
/// compare and hash by those values across the two forms, and encode values the decoder
/// would refuse, for the decoder to refuse them.
@Suite struct OFCanonicalListTests {
    static let actions: [OFAction] = SampleMessages.allActions + [
        .copyTTLOut, .copyTTLIn, .setMPLSTTL(3), .decMPLSTTL, .pushMPLS(ethertype: 0x8847), .popMPLS(ethertype: 0x0800),
        .pushPBB(ethertype: 0x88E7), .popPBB, .experimenter(id: 0x2320, data: [1, 2, 3, 4, 5, 6, 7, 8]),
    ]

    @Test func builtListsGiveBackTheirValues() {
        let list = OFActionList(Self.actions)
        #expect(Array(list) == Self.actions)
        #expect(list.count == Self.actions.count)
        #expect(list.encodedLength == Self.actions.reduce(0) { $0 + $1.encodedLength })
        let instructions: [OFInstruction] = [
            .applyActions(OFActionList(Self.actions.prefix(3))), .clearActions, .writeActions([.output(port: 9)]),
            .writeMetadata(value: 0x10, mask: 0xF0), .meter(4), .experimenter(id: 7, data: [1, 2, 3, 4, 5, 6, 7, 8]), .gotoTable(3),
        ]
        let built = OFInstructionList(instructions)
        #expect(Array(built) == instructions)
        guard case .applyActions(let first) = built.first else { Issue.record("first instruction \(String(describing: built.first))"); return }
        #expect(Array(first) == Array(Self.actions.prefix(3)))
        let fields: [OXMField] = [.inPort(3), .ethType(0x86DD), .ipv6Src(IPv6Address("2001:db8::1")!, mask: IPv6Address("ffff:ffff::")!),
                                  .vlanVID(20), .ethDst(MACAddress(rawValue: 0x0200_0000_0001), mask: MACAddress(rawValue: 0xFFFF_FF00_0000))]
        let match = OFMatch(fields)
        #expect(Array(match.fields) == fields)
        #expect(match[.vlanVID] == .vlanVID(20))
        #expect(match[.tcpDst] == nil)
        #expect(OFMatch().fields.isEmpty && OFActionList().isEmpty && OFInstructionList().isEmpty)
    }

    @Test func decodedEqualsBuiltAndHashesAlike() throws {
        let mod = SampleMessages.flowModRich
        guard case .flowMod(let back) = try OFMessage.decode(OFMessage.flowMod(mod).encode(xid: 1)).message else {
            Issue.record("not a flow-mod"); return
        }
        #expect(back == mod)
        #expect(back.match.hashValue == mod.match.hashValue)
        #expect(back.instructions.hashValue == mod.instructions.hashValue)
        #expect(Array(back.instructions) == Array(mod.instructions))
        #expect(Array(back.match.fields) == Array(mod.match.fields))
        // Different values, different lists.
        #expect(OFActionList([.output(port: 1)]) != OFActionList([.output(port: 2)]))
        #expect(OFActionList([.output(port: 1), .popVLAN]) != OFActionList([.popVLAN, .output(port: 1)]))
        #expect(OFMatch([.inPort(1)]) != OFMatch([.inPort(1), .ethType(0x0800)]))
    }

    /// Padding a sender filled with garbage does not survive decoding: the decoded list is the
    /// canonical one, equal to the list built from the same values.
    @Test func garbageInPaddingIsDropped() throws {
        let output = Raw.action(0, Raw.be32(2) + Raw.be16(0xFFFF) + [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        let instruction = Raw.instruction(4, [9, 9, 9, 9] + output + Raw.action(18, [7, 7, 7, 7]))
        let bytes = Raw.flowMod(match: Raw.match(Raw.oxm(0, Raw.be32(1))), instructions: instruction)
        guard case .flowMod(let mod) = try OFMessage.decode(bytes).message else { Issue.record("not a flow-mod"); return }
        let expected: OFInstructionList = [.applyActions([.output(port: 2), .popVLAN])]
        #expect(mod.instructions == expected)
        let reencoded = try OFMessage.flowMod(mod).encode(xid: 0x55)
        #expect(reencoded.count == bytes.count)
        #expect(reencoded != bytes)
        #expect(try OFMessage.decode(reencoded).message == .flowMod(mod))
    }

    /// Values the decoder refuses can still be built and sent (the switch answers with the
    /// error): decoding their encoding gives the spec's error.
    @Test(arguments: [
        (OFMatch([OXMField(.ipProto, 6, mask: 0xFF)]), OFActionList(), OFErrorCode.badMatch(.badMask)),
        (OFMatch([OXMField(.ipv4Dst, 0x0A00_0001, mask: 0xFFFF_FF00), .ethType(0x0800)]), OFActionList(), .badMatch(.badWildcards)),
        (OFMatch([OXMField(.vlanVID, 5)]), OFActionList(), .badMatch(.badValue)),
        (OFMatch([OXMField(.vlanPCP, 9), .vlanVID(3)]), OFActionList(), .badMatch(.badValue)),
        (OFMatch([.tcpDst(80)]), OFActionList(), .badMatch(.badPrereq)),
        (OFMatch(), OFActionList([.output(port: 0)]), .badAction(.badOutPort)),
        (OFMatch(), OFActionList([.output(port: OFPortNumber.controller, maxLength: 0xFFF0)]), .badAction(.badArgument)),
        (OFMatch(), OFActionList([.pushVLAN(ethertype: 0x0800)]), .badAction(.badArgument)),
        (OFMatch(), OFActionList([.group(0xFFFF_FFFC)]), .badAction(.badOutGroup)),
        (OFMatch(), OFActionList([.setField(.inPort(4))]), .badAction(.badSetType)),
        (OFMatch(), OFActionList([.setField(OXMField(.ipv4Src, 1, mask: 0xFF))]), .badAction(.badSetArgument)),
    ] as [(OFMatch, OFActionList, OFErrorCode)])
    func refusedValuesAreSentAndRefused(match: OFMatch, actions: OFActionList, expected: OFErrorCode) throws {
        #expect(OFMatch(Array(match.fields)) == match)
        #expect(OFActionList(Array(actions)) == actions)
        let mod = OFFlowMod(tableID: 0, match: match, instructions: actions.isEmpty ? [] : [.applyActions(actions)])
        let bytes = try OFMessage.flowMod(mod).encode(xid: 3)
        #expect(throws: OFDecodeError.self) { try OFMessage.decode(bytes) }
        do {
            _ = try OFMessage.decode(bytes)
        } catch {
            #expect(error.code == expected)
        }
    }

    /// Lists that came in one message share its buffer; one taken out lives on its own.
    @Test func listsOutliveTheirMessage() throws {
        var actions: OFActionList?
        do {
            let bytes = try OFMessage.flowMod(SampleMessages.flowModRich).encode(xid: 1)
            guard case .flowMod(let mod) = try OFMessage.decode(bytes).message,
                  case .applyActions(let a) = mod.instructions.first else { Issue.record("no apply-actions"); return }
            actions = a
        }
        #expect(actions.map(Array.init) == SampleMessages.allActions)
    }
}
