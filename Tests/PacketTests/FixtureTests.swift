import Foundation
import Testing
import TestSupport
import Pcap
@testable import Packet

/// Frames written by scapy (tools/fixtures/gen_packet_fixtures.py), compared with the values
/// scapy's own dissection recorded in Tests/Fixtures/expected.json.
@Suite struct FixtureTests {
    typealias JSON = [String: Any]

    nonisolated(unsafe) static let expected: JSON = {
        let data = try! Data(contentsOf: Fixtures.directory.appendingPathComponent("expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! JSON
    }()

    static let frameFiles = ["ethernet.pcap", "vlan.pcap", "ipv6.pcap", "tunnels.pcap", "malformed.pcap"]

    /// Every OXM field the fixtures name, read from our key as the fixtures spell it.
    static func value(_ field: String, _ k: FlowKey) -> String {
        switch field {
        case "eth_dst": k.ethDst.description
        case "eth_src": k.ethSrc.description
        case "eth_type": String(k.ethType)
        case "vlan_vid": String(k.vlanVID)
        case "vlan_pcp": String(k.vlanPCP)
        case "ip_dscp": String(k.ipDSCP)
        case "ip_ecn": String(k.ipECN)
        case "ip_proto": String(k.ipProto)
        case "ipv4_src": k.ipv4Src.description
        case "ipv4_dst": k.ipv4Dst.description
        case "ipv6_src": k.ipv6Src.description
        case "ipv6_dst": k.ipv6Dst.description
        case "tcp_src", "udp_src": String(k.tpSrc)
        case "tcp_dst", "udp_dst": String(k.tpDst)
        case "icmpv4_type", "icmpv6_type": String(k.icmpType)
        case "icmpv4_code", "icmpv6_code": String(k.icmpCode)
        case "arp_op": String(k.arpOp)
        case "arp_spa": k.arpSPA.description
        case "arp_tpa": k.arpTPA.description
        case "arp_sha": k.arpSHA.description
        case "arp_tha": k.arpTHA.description
        default: "unknown field \(field)"
        }
    }

    /// The value a field has in a key where it is absent.
    static let absent: [String: String] = [
        "eth_type": "0", "vlan_vid": "0", "vlan_pcp": "0", "ip_dscp": "0", "ip_ecn": "0", "ip_proto": "0",
        "ipv4_src": "0.0.0.0", "ipv4_dst": "0.0.0.0", "ipv6_src": "::", "ipv6_dst": "::",
        "tcp_src": "0", "tcp_dst": "0", "udp_src": "0", "udp_dst": "0", "icmpv4_type": "0", "icmpv4_code": "0",
        "icmpv6_type": "0", "icmpv6_code": "0", "arp_op": "0", "arp_spa": "0.0.0.0", "arp_tpa": "0.0.0.0",
        "arp_sha": "00:00:00:00:00:00", "arp_tha": "00:00:00:00:00:00",
    ]

    static let aliases: [String: String] = [
        "ipv4_src": "arp_spa", "arp_spa": "ipv4_src", "ipv4_dst": "arp_tpa", "arp_tpa": "ipv4_dst",
        "tcp_src": "udp_src", "udp_src": "tcp_src", "tcp_dst": "udp_dst", "udp_dst": "tcp_dst",
        "icmpv4_type": "icmpv6_type", "icmpv6_type": "icmpv4_type", "icmpv4_code": "icmpv6_code", "icmpv6_code": "icmpv4_code",
    ]

    static func text(_ v: Any) -> String {
        if let n = v as? NSNumber { return n.stringValue }
        return "\(v)"
    }

    static func checkFields(_ fields: JSON, _ key: FlowKey, complete: Bool, _ what: String) {
        for (name, v) in fields {
            #expect(value(name, key) == text(v), "\(what): \(name)")
        }
        guard complete else { return }
        for (name, zero) in absent where fields[name] == nil {
            // Fields that share a slot in the key (as in Open vSwitch) are present if their twin is.
            if let twin = aliases[name], fields[twin] != nil { continue }
            // ND link-layer options share the ARP hardware-address slots (checked via the view).
            if key.ethType == EtherType.ipv6 && (name == "arp_sha" || name == "arp_tha") { continue }
            #expect(value(name, key) == zero, "\(what): \(name) should be absent")
        }
    }

    @Test(arguments: frameFiles)
    func fixtureFrames(file: String) throws {
        let entries = try #require(Self.expected[file] as? [JSON])
        let packets = try PcapReader(path: Fixtures.path(file)).readAll()
        try #require(packets.count == entries.count, "\(file): \(packets.count) frames, \(entries.count) expectations")
        for (packet, entry) in zip(packets, entries) {
            let what = "\(file)#\(entry["index"]!) \(entry["description"]!)"
            #expect(packet.data.count == entry["length"] as? Int, "\(what): length")
            let parsed = packet.data.withUnsafeBytes { FlowKey.extract(from: $0, inPort: 3) }
            #expect(parsed.status.description == entry["status"] as? String, "\(what): status")
            #expect(parsed.key.inPort == 3)
            Self.checkFields(entry["fields"] as? JSON ?? [:], parsed.key, complete: parsed.status == .ok, what)
            try packet.data.withUnsafeBytes { raw in
                try checkLayers(entry["layers"] as? JSON ?? [:], raw, parsed, what)
            }
        }
    }

    func int(_ j: JSON, _ k: String) -> Int? { (j[k] as? NSNumber)?.intValue }

    func checkLayers(_ layers: JSON, _ frame: UnsafeRawBufferPointer, _ parsed: ParsedFrame, _ what: String) throws {
        let l3 = frame.suffix(from: Int(max(parsed.layout.l3Offset, 0)))
        var l4 = UnsafeRawBufferPointer(start: nil, count: 0)
        if let e = layers["ipv4"] as? JSON {
            let ip = try IPv4Header(l3)
            #expect(ip.ihl == int(e, "ihl") && Int(ip.ttl) == int(e, "ttl") && Int(ip.totalLength) == int(e, "total_length"), "\(what)")
            #expect(Int(ip.identification) == int(e, "identification") && Int(ip.flags) == int(e, "flags"), "\(what)")
            #expect(Int(ip.fragmentOffset) == int(e, "fragment_offset") && Int(ip.checksum) == int(e, "checksum"), "\(what)")
            #expect(ip.options.count == int(e, "options_length"), "\(what)")
            #expect(ip.isChecksumValid, "\(what): IPv4 checksum")
            l4 = ip.payload
        }
        if let e = layers["ipv6"] as? JSON {
            let ip = try IPv6Header(l3)
            #expect(Int(ip.hopLimit) == int(e, "hop_limit") && Int(ip.flowLabel) == int(e, "flow_label"), "\(what)")
            #expect(Int(ip.payloadLength) == int(e, "payload_length"), "\(what)")
            #expect(try ip.extensionHeaders().map(Int.init) == (e["extension_headers"] as? [Int] ?? []), "\(what)")
            let upper = try ip.upperLayer()
            if let fo = int(e, "fragment_offset") {
                #expect(upper.fragmentOffset.map(Int.init) == fo, "\(what)")
                #expect(upper.moreFragments == (e["more_fragments"] as? Bool), "\(what)")
            }
            l4 = l3.suffix(from: upper.offset)
        }
        if let e = layers["tcp"] as? JSON {
            let tcp = try TCPHeader(l4)
            #expect(Int(tcp.flags.rawValue) == int(e, "flags") && tcp.dataOffset == int(e, "data_offset"), "\(what)")
            #expect(tcp.optionsLength == int(e, "options_length") && Int(tcp.sequenceNumber) == int(e, "seq"), "\(what)")
            #expect(Int(tcp.acknowledgmentNumber) == int(e, "ack") && Int(tcp.window) == int(e, "window"), "\(what)")
            #expect(Int(tcp.checksum) == int(e, "checksum"), "\(what)")
        }
        if let e = layers["udp"] as? JSON {
            let udp = try UDPHeader(l4)
            #expect(Int(udp.length) == int(e, "length") && Int(udp.checksum) == int(e, "checksum"), "\(what)")
            if let vx = layers["vxlan"] as? JSON {
                if vx["error"] != nil {
                    #expect(throws: PacketError.self) { try VXLANHeader(udp.payload) }
                } else {
                    let header = try VXLANHeader(udp.payload)
                    #expect(Int(header.flags) == int(vx, "flags") && Int(header.vni) == int(vx, "vni"), "\(what)")
                    let inner = FlowKey.extract(from: header.innerFrame, inPort: 0)
                    #expect(inner.status == .ok)
                    Self.checkFields(vx["inner"] as? JSON ?? [:], inner.key, complete: true, "\(what) inner")
                }
            }
        }
        if let e = layers["icmpv4"] as? JSON {
            let m = try ICMPv4Message(l4)
            #expect(Int(m.type) == int(e, "type") && Int(m.code) == int(e, "code") && Int(m.checksum) == int(e, "checksum"), "\(what)")
            #expect(m.identifier.map(Int.init) == int(e, "identifier") && m.sequence.map(Int.init) == int(e, "sequence"), "\(what)")
        }
        if let e = layers["icmpv6"] as? JSON {
            let m = try ICMPv6Message(l4)
            #expect(Int(m.type) == int(e, "type") && Int(m.code) == int(e, "code") && Int(m.checksum) == int(e, "checksum"), "\(what)")
            #expect(m.identifier.map(Int.init) == int(e, "identifier") && m.sequence.map(Int.init) == int(e, "sequence"), "\(what)")
            #expect(m.targetAddress?.description == e["target"] as? String, "\(what): target")
            #expect(m.advertisementFlags.map(Int.init) == int(e, "flags"), "\(what): NA flags")
            #expect(m.linkLayerAddress?.description == e["link_layer_address"] as? String, "\(what): link-layer option")
            if let lla = e["link_layer_address"] as? String, m.type == 135 || m.type == 136 {
                let slot = m.type == ICMPv6Message.neighborSolicitation ? parsed.key.arpSHA : parsed.key.arpTHA
                #expect(slot.description == lla, "\(what): nd_sll/nd_tll in key")
            }
        }
        if let e = layers["arp"] as? JSON, parsed.status == .ok {
            let arp = try ARPPacket(l3)
            #expect(Int(arp.hardwareType) == int(e, "htype") && Int(arp.protocolType) == int(e, "ptype") && Int(arp.operation) == int(e, "op"), "\(what)")
        }
        if let e = layers["lacp"] as? JSON {
            let pdu = try LACPDU(l3)
            #expect(Int(pdu.version) == int(e, "version") && Int(pdu.collectorMaxDelay) == int(e, "collector_max_delay"), "\(what)")
            for (name, p) in [("actor", pdu.actor), ("partner", pdu.partner)] {
                #expect(Int(p.systemPriority) == int(e, "\(name)_system_priority") && p.system.description == e["\(name)_system"] as? String, "\(what) \(name)")
                #expect(Int(p.key) == int(e, "\(name)_key") && Int(p.portPriority) == int(e, "\(name)_port_priority"), "\(what) \(name)")
                #expect(Int(p.port) == int(e, "\(name)_port") && Int(p.state.rawValue) == int(e, "\(name)_state"), "\(what) \(name)")
            }
        }
        if let e = layers["lldp"] as? JSON {
            let lldp = try LLDPDU(l3)
            #expect(Int(lldp.chassisIDSubtype) == int(e, "chassis_id_subtype") && lldp.chassisIDText == e["chassis_id"] as? String, "\(what)")
            #expect(Int(lldp.portIDSubtype) == int(e, "port_id_subtype") && lldp.portIDText == e["port_id"] as? String, "\(what)")
            #expect(Int(lldp.ttl) == int(e, "ttl") && lldp.systemName == e["system_name"] as? String, "\(what)")
        }
    }

    @Test(arguments: ["timestamps-ns.pcap", "timestamps.pcapng"])
    func timestamps(file: String) throws {
        let entries = try #require(Self.expected[file] as? [JSON])
        let packets = try PcapReader(path: Fixtures.path(file), precision: .nanoseconds).readAll()
        try #require(packets.count == entries.count)
        for (p, e) in zip(packets, entries) {
            let ts = try #require((e["layers"] as? JSON)?["pcap"] as? JSON)
            #expect(p.timestamp.seconds == Int64(int(ts, "seconds") ?? -1) && Int(p.timestamp.nanoseconds) == int(ts, "nanoseconds"), "\(file)")
        }
    }
}
