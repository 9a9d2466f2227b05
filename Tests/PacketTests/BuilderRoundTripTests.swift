import Testing
@testable import Packet

/// Frames from our builders read back through the views and the key extractor.
@Suite struct BuilderRoundTripTests {
    func parse(_ frame: [UInt8], inPort: UInt32 = 1) -> ParsedFrame {
        frame.withUnsafeBytes { FlowKey.extract(from: $0, inPort: inPort) }
    }

    func frame(_ name: String) -> [UInt8] { SampleFrames.all.first { $0.name == name }!.bytes }

    @Test func everySampleParsesOK() {
        for (name, bytes) in SampleFrames.all {
            #expect(parse(bytes).status == .ok, "\(name)")
        }
    }

    @Test func ipv4TCPKey() throws {
        let p = parse(frame("ipv4-tcp"), inPort: 7)
        #expect(p.key.inPort == 7)
        #expect(p.key.ethSrc == SampleFrames.mac1 && p.key.ethDst == SampleFrames.mac2)
        #expect(p.key.ethType == 0x0800 && p.key.vlanVID == 0)
        #expect(p.key.ipProto == 6 && p.key.ipv4Src == SampleFrames.v4a && p.key.ipv4Dst == SampleFrames.v4b)
        #expect(p.key.tpSrc == 40000 && p.key.tpDst == 80)
        #expect(p.layout.l3Offset == 14 && p.layout.l4Offset == 34)
        try frame("ipv4-tcp").withUnsafeBytes { raw in
            let ip = try IPv4Header(raw.suffix(from: 14))
            #expect(ip.isChecksumValid)
            let tcp = try TCPHeader(ip.payload)
            #expect(tcp.flags == [.syn] && tcp.dataOffset == 7 && tcp.optionsLength == 8 && tcp.sequenceNumber == 1000)
        }
    }

    @Test func dscpEcnAndUDP() {
        let p = parse(frame("ipv4-udp"))
        #expect(p.key.ipDSCP == 46 && p.key.ipECN == 1 && p.key.tpSrc == 5000 && p.key.tpDst == 7777)
    }

    @Test func vlanAndQinQ() throws {
        let v = parse(frame("vlan-ipv4-tcp"))
        #expect(v.key.vlanVID == 0x1000 | 10 && v.key.vlanPCP == 3 && v.key.ethType == 0x0800 && v.layout.vlanCount == 1)
        let q = parse(frame("qinq-ipv4-udp"))
        #expect(q.key.vlanVID == 0x1000 | 100 && q.key.vlanPCP == 5 && q.key.ethType == 0x0800 && q.layout.vlanCount == 2)
        #expect(q.key.tpDst == 9)
        let stack = try frame("qinq-ipv4-udp").withUnsafeBytes { try VLANStack($0) }
        #expect(stack.tags.map(\.tpid) == [0x88A8, 0x8100] && stack.tags.map(\.vid) == [100, 10] && stack.payloadOffset == 22)
    }

    @Test func ipv6ExtensionHeadersAndND() throws {
        let p = parse(frame("ipv6-udp-ext"))
        #expect(p.key.ipProto == 17 && p.key.tpSrc == 40547 && p.key.ipDSCP == 10 && p.key.ipECN == 2)
        #expect(p.key.ipv6Src == SampleFrames.v6a && p.key.ipv6Dst == SampleFrames.v6b)
        try frame("ipv6-udp-ext").withUnsafeBytes { raw in
            let ip = try IPv6Header(raw.suffix(from: 14))
            #expect(try ip.extensionHeaders() == [0, 60])
            #expect(try ip.upperLayer().offset == 56)
        }
        let ns = parse(frame("ipv6-ns"))
        #expect(ns.key.icmpType == 135 && ns.key.arpSHA == SampleFrames.mac1)
        let na = parse(frame("ipv6-na"))
        #expect(na.key.icmpType == 136 && na.key.arpTHA == SampleFrames.mac2)
        try frame("ipv6-na").withUnsafeBytes { raw in
            let msg = try ICMPv6Message(raw.suffix(from: 54))
            #expect(msg.targetAddress == SampleFrames.v6b && msg.advertisementFlags == 0x60 && msg.linkLayerAddress == SampleFrames.mac2)
        }
    }

    @Test func arpKey() {
        let p = parse(frame("arp-request"))
        #expect(p.key.arpOp == 1 && p.key.arpSPA == SampleFrames.v4a && p.key.arpTPA == SampleFrames.v4b)
        #expect(p.key.arpSHA == SampleFrames.mac1 && p.key.arpTHA == .zero)
    }

    @Test func vxlanLACPAndLLDPViews() throws {
        try frame("vxlan").withUnsafeBytes { raw in
            let ip = try IPv4Header(raw.suffix(from: 14))
            let udp = try UDPHeader(ip.payload)
            #expect(udp.destinationPort == 4789)
            let vx = try VXLANHeader(udp.payload)
            #expect(vx.vni == 5000 && vx.flags == 0x08)
            let inner = FlowKey.extract(from: vx.innerFrame, inPort: 0)
            #expect(inner.status == .ok && inner.key.ipProto == 1 && inner.key.ipv4Src == IPv4Address(192, 168, 0, 1))
        }
        try frame("lacp").withUnsafeBytes { raw in
            let pdu = try LACPDU(raw.suffix(from: 14))
            #expect(pdu.actor.system == SampleFrames.mac1 && pdu.actor.key == 13 && pdu.actor.port == 1)
            #expect(pdu.actor.state == [.activity, .aggregation, .synchronization] && pdu.partner.state == [])
        }
        try frame("lldp").withUnsafeBytes { raw in
            let lldp = try LLDPDU(raw.suffix(from: 14))
            #expect(lldp.chassisIDText == SampleFrames.mac1.description && lldp.portIDText == "eth1")
            #expect(lldp.ttl == 120 && lldp.systemName == "sw1")
        }
    }

    @Test func laterFragmentsHaveNoPorts() {
        let f = SampleFrames.ipv4(17, { UDPDatagram(sourcePort: 1, destinationPort: 2, payload: [1, 2, 3]).bytes($0) }) {
            $0.fragmentOffset = 100
        }
        let p = parse(f)
        #expect(p.status == .ok && p.key.tpSrc == 0 && p.key.ipFragment == 3)
    }

    /// Every prefix of every sample parses without reading out of bounds and reports a status
    /// consistent with where it was cut.
    @Test func truncatedPrefixes() {
        for (name, bytes) in SampleFrames.all {
            for length in 0..<bytes.count {
                let prefix = Array(bytes[..<length])
                let p = parse(prefix)
                if length < 14 { #expect(p.status == .truncated(.ethernet), "\(name) cut at \(length)") }
                #expect(Int(p.layout.l3Offset) <= length || p.layout.l3Offset == -1)
                #expect(Int(p.layout.l3End) <= length)
            }
        }
    }
}
