import Packet
import Testing
@testable import OpenFlow

/// Raw builders for malformed messages, written from the spec's layouts (not our encoder).
enum Raw {
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xFFFF)) }
    static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xFFFF_FFFF)) }

    /// ofp_header + body, length patched to the real size unless given.
    static func message(type: UInt8, version: UInt8 = 4, length: Int? = nil, xid: UInt32 = 0x55, _ body: [UInt8]) -> [UInt8] {
        [version, type] + be16(UInt16(truncatingIfNeeded: length ?? 8 + body.count)) + be32(xid) + body
    }

    /// An OXM TLV of class 0x8000 (or `oxmClass`), length = payload size unless given.
    static func oxm(_ field: UInt8, _ payload: [UInt8], hasMask: Bool = false, length: Int? = nil,
                    oxmClass: UInt16 = 0x8000) -> [UInt8] {
        be16(oxmClass) + [field << 1 | (hasMask ? 1 : 0), UInt8(length ?? payload.count)] + payload
    }

    /// ofp_match of type OXM holding `tlvs`, zero-padded to 8.
    static func match(_ tlvs: [UInt8], type: UInt16 = 1, length: Int? = nil) -> [UInt8] {
        var m = be16(type) + be16(UInt16(length ?? 4 + tlvs.count)) + tlvs
        while m.count % 8 != 0 { m.append(0) }
        return m
    }

    static func action(_ type: UInt16, _ payload: [UInt8], length: Int? = nil) -> [UInt8] {
        be16(type) + be16(UInt16(length ?? 4 + payload.count)) + payload
    }

    static func output(_ port: UInt32, maxLength: UInt16 = 0xFFFF) -> [UInt8] {
        action(0, be32(port) + be16(maxLength) + [0, 0, 0, 0, 0, 0])
    }

    static func instruction(_ type: UInt16, _ payload: [UInt8], length: Int? = nil) -> [UInt8] {
        be16(type) + be16(UInt16(length ?? 4 + payload.count)) + payload
    }

    /// OFPAT_SET_FIELD around one TLV, zero-padded to a multiple of 8 (or to `padTo`).
    static func setField(_ tlv: [UInt8], padTo: Int? = nil) -> [UInt8] {
        let length = padTo ?? (4 + tlv.count + 7) / 8 * 8
        return action(25, tlv + [UInt8](repeating: 0, count: length - 4 - tlv.count))
    }

    static func apply(_ actions: [UInt8]) -> [UInt8] { instruction(4, [0, 0, 0, 0] + actions) }

    /// OFPT_FLOW_MOD with the given raw match and instructions.
    static func flowMod(table: UInt8 = 0, command: UInt8 = 0, flags: UInt16 = 0, match m: [UInt8] = match([]),
                        instructions: [UInt8] = []) -> [UInt8] {
        let fixed = be64(0) + be64(0) + [table, command] + be16(0) + be16(0) + be16(100) + be32(0xFFFF_FFFF)
            + be32(0xFFFF_FFFF) + be32(0xFFFF_FFFF) + be16(flags) + [0, 0]
        return message(type: 14, fixed + m + instructions)
    }

    static let ethIPv4 = oxm(5, [0x08, 0x00])
    static let ethIPv6 = oxm(5, [0x86, 0xDD])
    static let protoTCP = oxm(10, [6])
}

@Suite struct OFBadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var expected: OFErrorCode
        var options: OFDecodeOptions = .controller
        var description: String { name }
    }

    static let valid = try! OFMessage.flowMod(SampleMessages.flowMod).encode(xid: 9)

    static let cases: [Case] = {
        var c: [Case] = []
        func add(_ name: String, _ bytes: [UInt8], _ expected: OFErrorCode, _ options: OFDecodeOptions = .controller) {
            c.append(Case(name: name, bytes: bytes, expected: expected, options: options))
        }
        // Header.
        var v3 = valid; v3[0] = 3
        add("version 3 flow-mod", v3, .badRequest(.badVersion))
        add("version 5 features request", Raw.message(type: 5, version: 5, []), .badRequest(.badVersion))
        add("shorter than a header", [4, 0, 0, 8], .badRequest(.badLen))
        add("length field larger than message", Raw.message(type: 2, length: 20, [1, 2, 3, 4]), .badRequest(.badLen))
        add("length field smaller than message", Raw.message(type: 2, length: 10, [1, 2, 3, 4]), .badRequest(.badLen))
        add("features request with a body", Raw.message(type: 5, [0]), .badRequest(.badLen))
        add("barrier with a body", Raw.message(type: 20, [0, 0, 0, 0]), .badRequest(.badLen))
        add("set-config truncated", Raw.message(type: 9, [0, 0]), .badRequest(.badLen))
        add("role request too long", Raw.message(type: 24, Raw.be32(1) + [0, 0, 0, 0] + Raw.be64(1) + [0]), .badRequest(.badLen))
        add("flow-mod truncated in fixed part", Array(Raw.flowMod().prefix(30)).withLength(), .badRequest(.badLen))
        add("unknown type 30", Raw.message(type: 30, []), .badRequest(.badType))
        add("unknown type 200", Raw.message(type: 200, [1, 2]), .badRequest(.badType))
        add("meter-mod (not supported)", Raw.message(type: 29, Raw.be16(0) + Raw.be16(0) + Raw.be32(1)), .badRequest(.badType))
        add("queue-get-config (not supported)", Raw.message(type: 22, Raw.be32(1) + [0, 0, 0, 0]), .badRequest(.badType))
        // Multipart.
        add("unknown multipart 100", Raw.message(type: 18, Raw.be16(100) + Raw.be16(0) + [0, 0, 0, 0]), .badRequest(.badMultipart))
        add("queue stats multipart (not supported)", Raw.message(type: 18, Raw.be16(5) + Raw.be16(0) + [0, 0, 0, 0] + Raw.be32(1) + Raw.be32(0)),
            .badRequest(.badMultipart))
        add("meter multipart reply", Raw.message(type: 19, Raw.be16(9) + Raw.be16(0) + [0, 0, 0, 0]), .badRequest(.badMultipart))
        add("desc request with a body", Raw.message(type: 18, Raw.be16(0) + Raw.be16(0) + [0, 0, 0, 0, 1]), .badRequest(.badLen))
        add("port stats request truncated", Raw.message(type: 18, Raw.be16(4) + Raw.be16(0) + [0, 0, 0, 0] + Raw.be32(1)),
            .badRequest(.badLen))
        add("experimenter multipart on a switch", Raw.message(type: 18, Raw.be16(0xFFFF) + Raw.be16(0) + [0, 0, 0, 0]
                + Raw.be32(0x2320) + Raw.be32(1)), .badRequest(.badExperimenter), .datapath)
        add("experimenter message on a switch", Raw.message(type: 4, Raw.be32(0x2320) + Raw.be32(1)), .badRequest(.badExperimenter), .datapath)
        add("table features set with unknown property", Raw.message(type: 18, Raw.be16(12) + Raw.be16(0) + [0, 0, 0, 0]
                + Raw.be16(72) + [0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 32) + Raw.be64(0) + Raw.be64(0)
                + Raw.be32(0) + Raw.be32(100) + Raw.be16(0x99) + Raw.be16(8) + [0, 0, 0, 0]), .tableFeaturesFailed(.badType))
        add("table features length below 64", Raw.message(type: 18, Raw.be16(12) + Raw.be16(0) + [0, 0, 0, 0]
                + Raw.be16(16) + [UInt8](repeating: 0, count: 14)), .tableFeaturesFailed(.badLen))
        // Match.
        add("match type 0 (standard)", Raw.flowMod(match: Raw.match([], type: 0)), .badMatch(.badType))
        add("match length 2", Raw.flowMod(match: Raw.match([], length: 2)), .badMatch(.badLen))
        add("match length overruns message", Raw.flowMod(match: Raw.be16(1) + Raw.be16(200) + [0, 0, 0, 0]), .badMatch(.badLen))
        add("OXM unknown field (in_phy_port)", Raw.flowMod(match: Raw.match(Raw.oxm(1, Raw.be32(1)))), .badMatch(.badField))
        add("OXM unknown field 60", Raw.flowMod(match: Raw.match(Raw.oxm(60, Raw.be32(1)))), .badMatch(.badField))
        add("OXM experimenter class", Raw.flowMod(match: Raw.match(Raw.oxm(0, Raw.be32(0x2320) + Raw.be32(1), oxmClass: 0xFFFF))),
            .badMatch(.badField))
        add("OXM NXM class", Raw.flowMod(match: Raw.match(Raw.oxm(0, Raw.be32(1), oxmClass: 1))), .badMatch(.badField))
        add("OXM in_port length 2", Raw.flowMod(match: Raw.match(Raw.oxm(0, [0, 1]))), .badMatch(.badLen))
        add("OXM eth_type length 4", Raw.flowMod(match: Raw.match(Raw.oxm(5, [0, 0, 8, 0]))), .badMatch(.badLen))
        add("OXM masked ipv4_dst length 4", Raw.flowMod(match: Raw.match(Raw.ethIPv4 + Raw.oxm(12, Raw.be32(0x0A00_0000), hasMask: true))),
            .badMatch(.badLen))
        add("OXM payload overruns match", Raw.flowMod(match: Raw.match(Raw.oxm(0, Raw.be32(1), length: 12))), .badMatch(.badLen))
        add("OXM header cut", Raw.flowMod(match: Raw.match([0x80, 0x00])), .badMatch(.badLen))
        add("duplicate in_port", Raw.flowMod(match: Raw.match(Raw.oxm(0, Raw.be32(1)) + Raw.oxm(0, Raw.be32(2)))), .badMatch(.dupField))
        add("duplicate eth_type", Raw.flowMod(match: Raw.match(Raw.ethIPv4 + Raw.ethIPv4)), .badMatch(.dupField))
        add("ipv4_src without eth_type", Raw.flowMod(match: Raw.match(Raw.oxm(11, Raw.be32(0x0A00_0001)))), .badMatch(.badPrereq))
        add("ipv4_src with eth_type ipv6", Raw.flowMod(match: Raw.match(Raw.ethIPv6 + Raw.oxm(11, Raw.be32(1)))), .badMatch(.badPrereq))
        add("tcp_dst without ip_proto", Raw.flowMod(match: Raw.match(Raw.ethIPv4 + Raw.oxm(14, [0, 80]))), .badMatch(.badPrereq))
        add("tcp_dst with ip_proto udp", Raw.flowMod(match: Raw.match(Raw.ethIPv4 + Raw.oxm(10, [17]) + Raw.oxm(14, [0, 80]))),
            .badMatch(.badPrereq))
        add("ip_proto without eth_type", Raw.flowMod(match: Raw.match(Raw.protoTCP + Raw.oxm(14, [0, 80]))), .badMatch(.badPrereq))
        add("vlan_pcp without vlan_vid", Raw.flowMod(match: Raw.match(Raw.oxm(7, [3]))), .badMatch(.badPrereq))
        add("vlan_pcp with vlan_vid none", Raw.flowMod(match: Raw.match(Raw.oxm(6, [0, 0]) + Raw.oxm(7, [3]))), .badMatch(.badPrereq))
        add("arp_op with eth_type ipv4", Raw.flowMod(match: Raw.match(Raw.ethIPv4 + Raw.oxm(21, [0, 1]))), .badMatch(.badPrereq))
        add("icmpv6_type with ip_proto tcp", Raw.flowMod(match: Raw.match(Raw.ethIPv6 + Raw.protoTCP + Raw.oxm(29, [135]))),
            .badMatch(.badPrereq))
        add("ipv4_dst value outside mask", Raw.flowMod(match: Raw.match(Raw.ethIPv4
                + Raw.oxm(12, Raw.be32(0x0A00_0001) + Raw.be32(0xFF00_0000), hasMask: true))), .badMatch(.badWildcards))
        add("eth_dst value outside mask", Raw.flowMod(match: Raw.match(Raw.oxm(3, [1, 0, 0, 0, 0, 1, 0xFF, 0, 0, 0, 0, 0], hasMask: true))),
            .badMatch(.badWildcards))
        add("vlan_pcp 8", Raw.flowMod(match: Raw.match(Raw.oxm(6, [0x10, 5]) + Raw.oxm(7, [8]))), .badMatch(.badValue))
        add("ip_dscp 64", Raw.flowMod(match: Raw.match(Raw.ethIPv4 + Raw.oxm(8, [64]))), .badMatch(.badValue))
        add("vlan_vid 0x2000", Raw.flowMod(match: Raw.match(Raw.oxm(6, [0x20, 0]))), .badMatch(.badValue))
        add("vlan_vid 5 without OFPVID_PRESENT", Raw.flowMod(match: Raw.match(Raw.oxm(6, [0, 5]))), .badMatch(.badValue))
        add("masked eth_type", Raw.flowMod(match: Raw.match(Raw.oxm(5, [8, 0, 0xFF, 0xFF], hasMask: true))), .badMatch(.badMask))
        add("vlan_vid mask wider than 13 bits", Raw.flowMod(match: Raw.match(Raw.oxm(6, [0x10, 0, 0xFF, 0xFF], hasMask: true))),
            .badMatch(.badMask))
        // Actions.
        add("unknown action type 7", Raw.flowMod(instructions: Raw.apply(Raw.action(7, [0, 0, 0, 0]))), .badAction(.badType))
        add("unknown action type 300", Raw.flowMod(instructions: Raw.apply(Raw.action(300, [0, 0, 0, 0]))), .badAction(.badType))
        add("output length 8", Raw.flowMod(instructions: Raw.apply(Raw.action(0, Raw.be32(1)))), .badAction(.badLen))
        add("action length 12", Raw.flowMod(instructions: Raw.apply(Raw.action(18, [UInt8](repeating: 0, count: 12), length: 12))),
            .badAction(.badLen))
        add("action length 0", Raw.flowMod(instructions: Raw.apply(Raw.action(18, [0, 0, 0, 0], length: 0))), .badAction(.badLen))
        add("action overruns list", Raw.flowMod(instructions: Raw.apply(Raw.action(18, [0, 0, 0, 0], length: 16))), .badAction(.badLen))
        add("action header cut", Raw.flowMod(instructions: Raw.instruction(4, [0, 0, 0, 0, 0, 18, 0, 8], length: 12) + [0, 0, 0, 0]),
            .badInstruction(.badLen))
        add("set-field in_port (read-only)", Raw.flowMod(instructions: Raw.apply(Raw.setField(Raw.oxm(0, Raw.be32(3))))),
            .badAction(.badSetType))
        add("set-field unknown field", Raw.flowMod(instructions: Raw.apply(Raw.setField(Raw.oxm(28, Raw.be32(3))))),
            .badAction(.badSetType))
        add("set-field eth_dst with length 4", Raw.flowMod(instructions: Raw.apply(Raw.setField(Raw.oxm(3, Raw.be32(3))))),
            .badAction(.badSetLen))
        add("set-field action longer than its OXM", Raw.flowMod(instructions: Raw.apply(Raw.setField(Raw.oxm(10, [6]), padTo: 24))),
            .badAction(.badSetLen))
        add("set-field with a mask", Raw.flowMod(instructions: Raw.apply(Raw.setField(Raw.oxm(12, Raw.be32(1) + Raw.be32(0xFFFF_FFFF), hasMask: true)))),
            .badAction(.badSetArgument))
        add("set-field vlan_pcp 9", Raw.flowMod(instructions: Raw.apply(Raw.setField(Raw.oxm(7, [9]))))
            , .badAction(.badSetArgument))
        add("output to port 0", Raw.flowMod(instructions: Raw.apply(Raw.output(0))), .badAction(.badOutPort))
        add("output to OFPP_ANY", Raw.flowMod(instructions: Raw.apply(Raw.output(0xFFFF_FFFF))), .badAction(.badOutPort))
        add("output to 0xffffff80", Raw.flowMod(instructions: Raw.apply(Raw.output(0xFFFF_FF80))), .badAction(.badOutPort))
        add("controller max_len 0xfff0", Raw.flowMod(instructions: Raw.apply(Raw.output(0xFFFF_FFFD, maxLength: 0xFFF0))),
            .badAction(.badArgument))
        add("push_vlan ethertype 0x0800", Raw.flowMod(instructions: Raw.apply(Raw.action(17, [8, 0, 0, 0]))), .badAction(.badArgument))
        add("group action to OFPG_ALL", Raw.flowMod(instructions: Raw.apply(Raw.action(22, Raw.be32(0xFFFF_FFFC)))), .badAction(.badOutGroup))
        add("push_mpls on this datapath", Raw.flowMod(instructions: Raw.apply(Raw.action(19, [0x88, 0x47, 0, 0]))), .badAction(.badType), .datapath)
        add("copy_ttl_out on this datapath", Raw.flowMod(instructions: Raw.apply(Raw.action(11, [0, 0, 0, 0]))), .badAction(.badType), .datapath)
        add("packet-out actions_len overruns", Raw.message(type: 13, Raw.be32(0xFFFF_FFFF) + Raw.be32(0xFFFF_FFFD) + Raw.be16(32)
                + [0, 0, 0, 0, 0, 0] + Raw.output(1)), .badRequest(.badLen))
        // Instructions.
        add("unknown instruction 7", Raw.flowMod(instructions: Raw.instruction(7, [0, 0, 0, 0])), .badInstruction(.unknownInst))
        add("instruction length 4", Raw.flowMod(instructions: Raw.instruction(5, [], length: 4) + [0, 0, 0, 0]), .badInstruction(.badLen))
        add("goto_table length 16", Raw.flowMod(instructions: Raw.instruction(1, [UInt8](repeating: 0, count: 12))), .badInstruction(.badLen))
        add("instruction cut", Raw.flowMod(instructions: [0, 4, 0]), .badInstruction(.badLen))
        add("two apply-actions", Raw.flowMod(instructions: Raw.apply(Raw.output(1)) + Raw.apply(Raw.output(2))), .badInstruction(.unsupInst))
        add("meter on this datapath", Raw.flowMod(instructions: Raw.instruction(6, Raw.be32(1))), .badInstruction(.unsupInst), .datapath)
        add("experimenter instruction on this datapath", Raw.flowMod(instructions: Raw.instruction(0xFFFF, Raw.be32(0x2320))),
            .badInstruction(.badExperimenter), .datapath)
        add("goto_table backwards", Raw.flowMod(table: 3, instructions: Raw.instruction(1, [2, 0, 0, 0])), .badInstruction(.badTableID))
        add("goto_table beyond the last table", Raw.flowMod(instructions: Raw.instruction(1, [9, 0, 0, 0])), .badInstruction(.badTableID),
            OFDecodeOptions(maxTableID: 7))
        // Flow-mod, group-mod, table-mod, port-mod, role.
        add("flow-mod add to table 255", Raw.flowMod(table: 255), .flowModFailed(.badTableID))
        add("flow-mod to table 8 of 8", Raw.flowMod(table: 8), .flowModFailed(.badTableID), OFDecodeOptions(maxTableID: 7))
        add("flow-mod delete in table 9 of 8", Raw.flowMod(table: 9, command: 3), .flowModFailed(.badTableID), OFDecodeOptions(maxTableID: 7))
        add("flow-mod command 5", Raw.flowMod(command: 5), .flowModFailed(.badCommand))
        add("flow-mod flag 1<<5", Raw.flowMod(flags: 0x20), .flowModFailed(.badFlags))
        add("group-mod command 3", Raw.message(type: 15, Raw.be16(3) + [0, 0] + Raw.be32(1)), .groupModFailed(.badCommand))
        add("group-mod type 4", Raw.message(type: 15, Raw.be16(0) + [4, 0] + Raw.be32(1)), .groupModFailed(.badType))
        add("group-mod add OFPG_ALL", Raw.message(type: 15, Raw.be16(0) + [0, 0] + Raw.be32(0xFFFF_FFFC)), .groupModFailed(.invalidGroup))
        add("bucket length 8", Raw.message(type: 15, Raw.be16(0) + [0, 0] + Raw.be32(1) + Raw.be16(8) + [0, 0, 0, 0, 0, 0]),
            .groupModFailed(.badBucket))
        add("bucket overruns", Raw.message(type: 15, Raw.be16(0) + [0, 0] + Raw.be32(1) + Raw.be16(32) + [UInt8](repeating: 0, count: 14)),
            .groupModFailed(.badBucket))
        add("table-mod of table 200", Raw.message(type: 17, [200, 0, 0, 0] + Raw.be32(0)), .tableModFailed(.badTable),
            OFDecodeOptions(maxTableID: 7))
        add("port-mod of port 0", Raw.message(type: 16, Raw.be32(0) + [UInt8](repeating: 0, count: 28)), .portModFailed(.badPort))
        add("role 7", Raw.message(type: 24, Raw.be32(7) + [0, 0, 0, 0] + Raw.be64(1)), .roleRequestFailed(.badRole))
        add("hello element length 2", Raw.message(type: 0, Raw.be16(1) + Raw.be16(2) + [0, 0, 0, 0]), .badRequest(.badLen))
        return c
    }()

    @Test(arguments: cases)
    func refusedWithTheSpecsCode(_ c: Case) {
        #expect(decodeError(c.bytes, c.options) == c.expected, "\(c.name)")
    }

    /// The raw builders themselves make valid messages when nothing is wrong.
    @Test func rawBuildersAreValid() throws {
        let m = Raw.flowMod(match: Raw.match(Raw.oxm(0, Raw.be32(1)) + Raw.ethIPv4
                                             + Raw.oxm(12, Raw.be32(0x0A00_0000) + Raw.be32(0xFF00_0000), hasMask: true)),
                            instructions: Raw.apply(Raw.output(2)))
        var expected = SampleMessages.flowMod
        expected.cookie = 0; expected.idleTimeout = 0; expected.hardTimeout = 0; expected.flags = []
        #expect(try OFMessage.decode(m).message == .flowMod(expected))
    }

    /// Unsupported-on-the-datapath features decode fine for a controller.
    @Test func controllerAcceptsWhatTheDatapathRefuses() {
        for c in Self.cases where c.options == .datapath {
            #expect(decodeError(c.bytes, .controller) == nil, "\(c.name)")
        }
    }

    @Test func decodeErrorReplyIsTheSpecsErrorMessage() throws {
        let bad = Raw.flowMod(match: Raw.match(Raw.oxm(11, Raw.be32(1))))
        let error = try #require(#expect(throws: OFDecodeError.self) { try OFMessage.decode(bad) })
        let reply = error.reply(to: bad)
        let decoded = try OFMessage.decode(reply)
        #expect(decoded.header.xid == 0x55)
        #expect(decoded.message == .error(OFErrorMessage(.badMatch(.badPrereq), data: Array(bad.prefix(64)))))
    }
}

extension Array where Element == UInt8 {
    /// Patches the header's length field to the array's size.
    func withLength() -> [UInt8] {
        var b = self
        b[2] = UInt8(count >> 8); b[3] = UInt8(count & 0xFF)
        return b
    }
}
