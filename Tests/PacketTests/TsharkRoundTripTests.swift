import Foundation
import Testing
import TestSupport
import Pcap
@testable import Packet

/// Frames from our builders, judged by an independent dissector: tshark must see the same
/// field values, every checksum good, and nothing malformed.
@Suite struct TsharkRoundTripTests {
    static let fields = [
        "frame.number", "eth.src", "eth.dst", "vlan.id", "ieee8021ad.id", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
        "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "icmp.type", "icmpv6.type",
        "arp.src.proto_ipv4", "vxlan.vni", "lacp.actor.sysid", "lldp.tlv.system.name",
        "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status",
        "icmpv6.checksum.status", "_ws.malformed", "_ws.expert.severity", "_ws.expert.message",
    ]

    @Test func tsharkAgreesWithOurFrames() throws {
        guard Shell.which("tshark") != nil else {
            if Privileged.required { Issue.record("tshark is not installed") }
            return
        }
        let dir = try Fixtures.temporaryDirectory(prefix: "tshark-rt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ours.pcap").path
        let samples = SampleFrames.all
        let writer = try PcapWriter(path: path)
        for (i, sample) in samples.enumerated() {
            writer.write(sample.bytes, timestamp: PcapTimestamp(seconds: 1_700_000_000 + Int64(i)))
        }
        writer.close()

        var args = ["-r", path, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
                    "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
        for f in Self.fields { args += ["-e", f] }
        let result = try Shell.run("tshark", args)
        try #require(result.status == 0, "tshark failed: \(result.stderr)")
        let rows = result.stdout.split(separator: "\n").map { line in
            Dictionary(uniqueKeysWithValues: zip(Self.fields, line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)))
        }
        try #require(rows.count == samples.count)

        for (sample, row) in zip(samples, rows) {
            let name = sample.name
            let key = sample.bytes.withUnsafeBytes { FlowKey.extract(from: $0, inPort: 1).key }
            #expect(row["_ws.malformed"] == "", "\(name): tshark says malformed")
            for status in ["ip", "tcp", "udp", "icmp", "icmpv6"].compactMap({ row["\($0).checksum.status"] }) where !status.isEmpty {
                // 1 = good for every checksum tshark verified (a VXLAN frame lists outer and inner).
                #expect(status.split(separator: ",").allSatisfy { $0 == "1" || $0 == "2" }, "\(name): checksum status \(status)")
                #expect(status.contains("1"), "\(name): checksum not verified")
            }
            #expect(!(row["_ws.expert.severity"] ?? "").split(separator: ",").contains { Int($0) ?? 0 >= 0x0080_0000 },
                    "\(name): tshark expert error \(row["_ws.expert.message"] ?? "")")
            func first(_ f: String) -> String { String(row[f]?.split(separator: ",").first ?? "") }
            #expect(first("eth.src") == key.ethSrc.description, "\(name)")
            #expect(first("eth.dst") == key.ethDst.description, "\(name)")
            if key.vlanVID != 0 {
                // tshark files an 802.1ad outer tag under ieee8021ad, an 802.1Q one under vlan.
                let outer = sample.bytes[12] == 0x88 ? first("ieee8021ad.id") : first("vlan.id")
                #expect(outer == String(key.vlanVID & 0xFFF), "\(name)")
            }
            switch key.ethType {
            case EtherType.ipv4:
                #expect(first("ip.src") == key.ipv4Src.description, "\(name)")
                #expect(first("ip.dst") == key.ipv4Dst.description, "\(name)")
            case EtherType.ipv6:
                #expect(first("ipv6.src") == key.ipv6Src.description, "\(name)")
                #expect(first("ipv6.dst") == key.ipv6Dst.description, "\(name)")
            case EtherType.arp:
                #expect(first("arp.src.proto_ipv4") == key.arpSPA.description, "\(name)")
            default: break
            }
            switch key.ipProto {
            case IPProtocol.tcp:
                #expect(first("tcp.srcport") == String(key.tpSrc) && first("tcp.dstport") == String(key.tpDst), "\(name)")
            case IPProtocol.udp:
                #expect(first("udp.srcport") == String(key.tpSrc) && first("udp.dstport") == String(key.tpDst), "\(name)")
            case IPProtocol.icmp:
                #expect(first("icmp.type") == String(key.icmpType), "\(name)")
            case IPProtocol.icmpv6:
                #expect(first("icmpv6.type") == String(key.icmpType), "\(name)")
            default: break
            }
            switch name {
            case "vxlan": #expect(row["vxlan.vni"] == "5000")
            case "lacp": #expect(row["lacp.actor.sysid"] == SampleFrames.mac1.description)
            case "lldp": #expect(row["lldp.tlv.system.name"] == "sw1")
            default: break
            }
        }
    }
}
