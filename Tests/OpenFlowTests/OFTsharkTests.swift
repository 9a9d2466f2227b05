import Foundation
import Packet
import Pcap
import Testing
import TestSupport
@testable import OpenFlow

/// Our messages judged by an independent dissector: tshark's openflow_v4 must see each
/// message's type and nothing malformed.
@Suite struct OFTsharkTests {
    /// One TCP segment per message, controller (6653) to switch, sequence numbers consecutive.
    static func writeStream(_ messages: [[UInt8]], to path: String) throws {
        let writer = try PcapWriter(path: path)
        defer { writer.close() }
        let controller = IPv4Address(10, 0, 0, 100), sw = IPv4Address(10, 0, 0, 1)
        var seq: UInt32 = 1000
        for (i, payload) in messages.enumerated() {
            var tcp = TCPSegment(sourcePort: OFP.tcpPort, destinationPort: 40000, flags: [.ack, .psh], payload: payload)
            tcp.sequenceNumber = seq
            tcp.acknowledgmentNumber = 1
            seq &+= UInt32(payload.count)
            var ip = IPv4Packet(source: controller, destination: sw, protocol: IPProtocol.tcp,
                                payload: tcp.bytes(.v4(controller, sw)))
            ip.identification = UInt16(i)
            let frame = EthernetFrame(destination: SampleMessages.mac2, source: SampleMessages.mac1,
                                      etherType: EtherType.ipv4, payload: ip.bytes())
            writer.write(frame.bytes(), timestamp: PcapTimestamp(seconds: 1_700_000_000 + Int64(i)))
        }
        try writer.flush()
    }

    @Test func tsharkDissectsEveryMessage() throws {
        guard Shell.which("tshark") != nil else {
            if Privileged.required { Issue.record("tshark is not installed") }
            return
        }
        let samples = SampleMessages.all
        let encoded = try samples.enumerated().map { i, s in try s.1.encode(xid: UInt32(i + 1)) }
        let dir = try Fixtures.temporaryDirectory(prefix: "of-tshark")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("openflow.pcap").path
        try Self.writeStream(encoded, to: path)

        let result = try Shell.run("tshark", [
            "-r", path, "-d", "tcp.port==6653,openflow", "-T", "fields", "-E", "separator=|",
            "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "openflow_v4.type", "-e", "openflow_v4.xid", "-e", "openflow_v4.multipart_request.type",
            "-e", "openflow_v4.multipart_reply.type", "-e", "_ws.malformed", "-e", "_ws.expert.message",
        ])
        try #require(result.status == 0, "tshark failed: \(result.stderr)")
        let rows = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        try #require(rows.count == samples.count, "\(result.stdout)")
        for (index, ((name, message), row)) in zip(samples, rows).enumerated() {
            let cols = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            // An ERROR shows the offending message's header too: the first type is the message's own.
            let types = cols[0].split(separator: ",")
            #expect(types.first.map(String.init) == String(message.type.rawValue), "\(name): tshark type \(cols[0])")
            #expect(cols[4].isEmpty, "\(name): tshark says malformed (\(cols[5]))")
            #expect(cols[1].split(separator: ",").first.map(String.init) == String(index + 1), "\(name): xid \(cols[1])")
            switch message {
            case .multipartRequest(let m):
                #expect(cols[2] == String(m.type.rawValue), "\(name): multipart type \(cols[2])")
            case .multipartReply(let m):
                #expect(cols[3] == String(m.type.rawValue), "\(name): multipart type \(cols[3])")
            default: break
            }
        }
    }
}
