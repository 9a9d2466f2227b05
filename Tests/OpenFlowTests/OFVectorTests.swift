import Packet
import Testing
import TestSupport
@testable import OpenFlow

/// Byte-exact vectors, built independently of our encoder: by hand from the spec's struct
/// layouts (OpenFlow 1.3.5 §7) and by scapy's contrib/openflow3.
@Suite struct OFVectorTests {
    /// Hex digits, whitespace ignored; on each line everything after `#` is a comment.
    static func hex(_ s: String) -> [UInt8] {
        let digits = Array(s.split(separator: "\n").map { $0.split(separator: "#", maxSplits: 1).first ?? "" }
            .joined().filter(\.isHexDigit))
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    static func hexString(_ b: [UInt8]) -> String {
        b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// ofp_hello + one OFPHET_VERSIONBITMAP element with bit 4 (OpenFlow 1.3) set.
    @Test func helloVersionBitmap() throws {
        let expected = Self.hex("""
            04 00 0010 0000002a  # version 4, OFPT_HELLO, length 16, xid 42
            0001 0008 00000010   # OFPHET_VERSIONBITMAP, length 8, bitmap 1 << 4
            """)
        #expect(try OFMessage.hello(.openFlow13).encode(xid: 42) == expected)
        #expect(try OFMessage.decode(expected).message == .hello(.openFlow13))
    }

    /// FLOW_MOD add: in_port=1, eth_type=0x0800, ipv4_dst=10.0.0.0/8 → apply-actions output:2.
    static let flowModExpected = hex("""
        04 0e 0068 00000007                # ofp_header: v4, OFPT_FLOW_MOD (14), length 104, xid 7
        1122334455667788                   # cookie
        0000000000000000                   # cookie_mask
        00 00 001e 012c 0064               # table 0, OFPFC_ADD, idle 30, hard 300, priority 100
        ffffffff ffffffff ffffffff         # buffer_id NO_BUFFER, out_port ANY, out_group ANY
        0003 0000                          # flags SEND_FLOW_REM|CHECK_OVERLAP, pad 2
        0001 001e                          # ofp_match: OFPMT_OXM, length 30 (4 + 8 + 6 + 12)
        80000004 00000001                  # OXM 0x8000 field 0 (in_port), len 4: 1
        80000a02 0800                      # field 5 (eth_type), len 2: 0x0800
        80001908 0a000000 ff000000         # field 12 (ipv4_dst) hasmask, len 8: 10.0.0.0/255.0.0.0
        0000                               # padding to 32
        0004 0018 00000000                 # OFPIT_APPLY_ACTIONS, len 24, pad 4
        0000 0010 00000002 ffff 000000000000  # OFPAT_OUTPUT, len 16, port 2, max_len NO_BUFFER, pad 6
        """)

    @Test func flowModByHand() throws {
        let bytes = try OFMessage.flowMod(SampleMessages.flowMod).encode(xid: 7)
        #expect(Self.hexString(bytes) == Self.hexString(Self.flowModExpected))
        #expect(try OFMessage.decode(Self.flowModExpected).message == .flowMod(SampleMessages.flowMod))
    }

    /// Bytes scapy builds for each expression (one python process for all), nil when scapy
    /// is missing and that is allowed.
    static func scapy(_ expressions: [String]) throws -> [[UInt8]]? {
        guard Shell.which("python3") != nil else {
            if Privileged.required { Issue.record("python3 is not installed") }
            return nil
        }
        let script = """
            import sys
            from scapy.contrib.openflow3 import *
            from scapy.packet import Raw
            from scapy.config import conf
            conf.contribs['OPENFLOW']['prereq_autocomplete'] = False
            for line in sys.argv[1:]:
                print(bytes(eval(line)).hex())
            """
        let result = try Shell.run("python3", ["-c", script] + expressions)
        guard result.status == 0 else {
            if result.stderr.contains("No module named") && !Privileged.required { return nil }
            Issue.record("scapy failed: \(result.stderr)")
            return nil
        }
        return result.stdout.split(separator: "\n").map { hex(String($0)) }
    }

    @Test func flowModMatchesScapy() throws {
        guard let theirs = try Self.scapy(["""
            OFPTFlowMod(xid=7, cookie=0x1122334455667788, table_id=0, cmd=0, idle_timeout=30, hard_timeout=300,
                priority=100, buffer_id=0xffffffff, out_port=0xffffffff, out_group=0xffffffff, flags=3,
                match=OFPMatch(oxm_fields=[OFBInPort(in_port=1), OFBEthType(eth_type=0x800),
                    OFBIPv4DstHM(ipv4_dst='10.0.0.0', ipv4_dst_mask=0xff000000)]),
                instructions=[OFPITApplyActions(actions=[OFPATOutput(port=2)])])
            """.replacingOccurrences(of: "\n", with: " ")])?.first else { return }
        #expect(Self.hexString(theirs) == Self.hexString(Self.flowModExpected))
        #expect(try OFMessage.decode(theirs).message == .flowMod(SampleMessages.flowMod))
    }

    /// More structures against scapy: hello, features reply, packet-out, group-mod, role, set-config, echo,
    /// flow-removed, port-status, flow and port-stats requests, a flow stats reply.
    @Test func moreMessagesMatchScapy() throws {
        let cases: [(String, OFMessage)] = [
            ("OFPTHello(xid=1, elements=[OFPHETVersionBitmap(bitmap=0x10)])", .hello(.openFlow13)),
            ("OFPTFeaturesReply(xid=1, datapath_id=0x1122, n_buffers=256, n_tables=4, auxiliary_id=0, capabilities=0x4f)",
             .featuresReply(OFFeaturesReply(datapathID: 0x1122, nBuffers: 256, nTables: 4,
                                            capabilities: [.flowStats, .tableStats, .portStats, .groupStats, .queueStats]))),
            ("OFPTPacketOut(xid=1, buffer_id=0xffffffff, in_port=0xfffffffd, actions=[OFPATOutput(port=0xfffffffb, max_len=0)], data=b'\\x01\\x02\\x03')",
             .packetOut(OFPacketOut(actions: [.output(port: OFPortNumber.flood, maxLength: 0)], data: [1, 2, 3]))),
            ("OFPTGroupMod(xid=1, cmd=0, group_type=1, group_id=7, buckets=[OFPBucket(weight=1, watch_port=0xffffffff, watch_group=0xffffffff, actions=[OFPATOutput(port=1)])])",
             .groupMod(OFGroupMod(command: .add, type: .select, groupID: 7,
                                  buckets: [OFBucket(weight: 1, actions: [.output(port: 1)])]))),
            ("OFPTRoleRequest(xid=1, role=2, generation_id=12)", .roleRequest(OFRoleMessage(role: .master, generationID: 12))),
            ("OFPTSetConfig(xid=1, flags=0, miss_send_len=128)", .setConfig(OFSwitchConfig())),
            ("OFPTEchoRequest(xid=1)/Raw(b'abcd')", .echoRequest(Array("abcd".utf8))),
            ("OFPTFlowRemoved(xid=1, cookie=1, priority=100, reason=0, table_id=0, duration_sec=12, duration_nsec=3, idle_timeout=10, hard_timeout=0, packet_count=5, byte_count=500, match=OFPMatch(oxm_fields=[OFBInPort(in_port=1), OFBEthType(eth_type=0x800), OFBIPv4DstHM(ipv4_dst='10.0.0.0', ipv4_dst_mask=0xff000000)]))",
             Self.sample("flow-removed")),
            ("OFPTBarrierRequest(xid=1)", .barrierRequest),
            ("OFPMPRequestFlow(xid=1, flags=0, table_id=0, out_port=0xffffffff, out_group=0xffffffff, cookie=0, cookie_mask=0, match=\(Self.scapyMatch))",
             Self.sample("mp-req-flow")),
            ("OFPMPRequestPortStats(xid=1, port_no=0xffffffff)", Self.sample("mp-req-port-stats")),
            ("OFPTPortStatus(xid=1, reason=2, desc=OFPPort(port_no=1, hw_addr='02:00:00:00:00:01', port_name='h1-tap', config=64, state=4, curr=0x840, advertised=0x40, supported=0x60, peer=0, curr_speed=10000000, max_speed=10000000))",
             Self.sample("port-status")),
            ("OFPMPReplyFlow(xid=1, flags=1, flow_stats=[OFPFlowStats(table_id=0, duration_sec=10, duration_nsec=500, priority=100, idle_timeout=30, hard_timeout=0, flags=1, cookie=9, packet_count=1000, byte_count=64000, match=\(Self.scapyMatch), instructions=[OFPITApplyActions(actions=[OFPATOutput(port=2)])])])",
             .multipartReply(OFMultipartReply(.flow([OFFlowStats(
                 tableID: 0, durationSec: 10, durationNsec: 500, priority: 100, idleTimeout: 30, flags: [.sendFlowRemoved],
                 cookie: 9, packetCount: 1000, byteCount: 64000, match: SampleMessages.ipv4Match,
                 instructions: [.applyActions([.output(port: 2)])])]), flags: .more))),
        ]
        guard let all = try Self.scapy(cases.map(\.0)) else { return }
        try #require(all.count == cases.count)
        for ((expression, message), theirs) in zip(cases, all) {
            let ours = try message.encode(xid: 1)
            #expect(Self.hexString(ours) == Self.hexString(theirs), "\(expression)")
            #expect(try OFMessage.decode(theirs).message == message, "\(expression)")
        }
    }

    static let scapyMatch = "OFPMatch(oxm_fields=[OFBInPort(in_port=1), OFBEthType(eth_type=0x800), "
        + "OFBIPv4DstHM(ipv4_dst='10.0.0.0', ipv4_dst_mask=0xff000000)])"

    static func sample(_ name: String) -> OFMessage { SampleMessages.all.first { $0.0 == name }!.1 }

    /// A PACKET_IN as Open vSwitch sends it for a table miss, by hand.
    @Test func packetInByHand() throws {
        let expected = Self.hex("""
            04 0a 002e 00000000         # OFPT_PACKET_IN, length 46 = 8 + 16 + 16 + 2 + 4
            ffffffff 0004 00 00         # buffer NO_BUFFER, total_len 4, OFPR_NO_MATCH, table 0
            0000000000000000            # cookie
            0001 000c 80000004 00000005  # match: in_port=5 (length 12)
            00000000                    # match padding to 16
            0000                        # pad 2
            deadbeef                    # frame
            """)
        let message = OFMessage.packetIn(OFPacketIn(reason: .noMatch, tableID: 0, match: OFMatch([.inPort(5)]),
                                                    data: [0xDE, 0xAD, 0xBE, 0xEF]))
        #expect(try message.encode(xid: 0) == expected)
        #expect(try OFMessage.decode(expected).message == message)
    }

    /// Field numbers and lengths of every OXM field this codec carries (spec §7.2.3.7, table 11).
    @Test func oxmHeaders() {
        #expect(FlowField.inPort.oxmHeader() == 0x8000_0004)
        #expect(FlowField.metadata.oxmHeader(hasMask: true) == 0x8000_0510)
        #expect(FlowField.ethDst.oxmHeader() == 0x8000_0606)
        #expect(FlowField.vlanVID.oxmHeader() == 0x8000_0C02)
        #expect(FlowField.ipDSCP.oxmHeader() == 0x8000_1001)
        #expect(FlowField.ipv6Dst.oxmHeader(hasMask: true) == 0x8000_3720)
        #expect(FlowField.tunnelID.oxmHeader() == 0x8000_4C08)
        #expect(FlowField.icmpv6Code.oxmHeader() == 0x8000_3C01)
        for f in FlowField.allCases {
            #expect(FlowField(oxmField: f.oxmField) == f)
            #expect(f.oxmLength * 8 >= f.bitWidth)
        }
    }
}
