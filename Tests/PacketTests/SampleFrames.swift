import Packet

/// Well-formed frames built by our own builders, one per protocol the parser knows; the seed
/// corpus for mutation tests and the input of the tshark round trip.
enum SampleFrames {
    static let mac1 = MACAddress("02:00:00:00:00:01")!
    static let mac2 = MACAddress("02:00:00:00:00:02")!
    static let v4a = IPv4Address(10, 0, 0, 1), v4b = IPv4Address(10, 0, 0, 2)
    static let v6a = IPv6Address("2001:db8::1")!, v6b = IPv6Address("2001:db8::2")!

    static func ipv4(_ proto: UInt8, _ payload: (PseudoHeader) -> [UInt8], tags: [VLANTag] = [],
                     configure: (inout IPv4Packet) -> Void = { _ in }) -> [UInt8] {
        var ip = IPv4Packet(source: v4a, destination: v4b, protocol: proto, payload: [])
        configure(&ip)
        ip.payload = payload(ip.pseudoHeader)
        return EthernetFrame(destination: mac2, source: mac1, tags: tags, etherType: EtherType.ipv4,
                             payload: ip.bytes()).bytes(minimumLength: 60)
    }

    static func ipv6(_ nh: UInt8, _ payload: (PseudoHeader) -> [UInt8], tags: [VLANTag] = [],
                     configure: (inout IPv6Packet) -> Void = { _ in }) -> [UInt8] {
        var ip = IPv6Packet(source: v6a, destination: v6b, nextHeader: nh, payload: [])
        configure(&ip)
        ip.payload = payload(ip.pseudoHeader)
        return EthernetFrame(destination: mac2, source: mac1, tags: tags, etherType: EtherType.ipv6,
                             payload: ip.bytes()).bytes(minimumLength: 60)
    }

    static var tcpSegment: TCPSegment {
        var t = TCPSegment(sourcePort: 40000, destinationPort: 80, flags: [.syn])
        t.sequenceNumber = 1000
        t.options = [2, 4, 0x05, 0xB4, 1, 3, 3, 7]  // MSS 1460, NOP, window scale 7
        return t
    }

    static var all: [(name: String, bytes: [UInt8])] {
        [
            ("ipv4-tcp", ipv4(6, { tcpSegment.bytes($0) })),
            ("ipv4-udp", ipv4(17, { UDPDatagram(sourcePort: 5000, destinationPort: 7777, payload: Array("hello".utf8)).bytes($0) }) { $0.dscp = 46; $0.ecn = 1 }),
            ("ipv4-icmp", ipv4(1, { _ in ICMPv4Builder.echo(request: true, identifier: 7, sequence: 1, payload: [1, 2, 3, 4]).bytes() })),
            ("ipv4-options-udp", ipv4(17, { UDPDatagram(sourcePort: 1, destinationPort: 2, payload: [0]).bytes($0) }) { $0.options = [1, 1, 1, 0] }),
            ("vlan-ipv4-tcp", ipv4(6, { tcpSegment.bytes($0) }, tags: [VLANTag(pcp: 3, vid: 10)])),
            ("qinq-ipv4-udp", ipv4(17, { UDPDatagram(sourcePort: 7, destinationPort: 9, payload: [1]).bytes($0) },
                                   tags: [VLANTag(tpid: EtherType.qinq, pcp: 5, vid: 100), VLANTag(vid: 10)])),
            ("ipv6-tcp", ipv6(6, { tcpSegment.bytes($0) })),
            ("ipv6-udp-ext", ipv6(17, { UDPDatagram(sourcePort: 40547, destinationPort: 7546, payload: [1, 2]).bytes($0) }) {
                $0.extensionHeaders = [.hopByHop, .destinationOptions]; $0.dscp = 10; $0.ecn = 2
            }),
            ("ipv6-icmpv6-echo", ipv6(58, { ICMPv6Builder.echo(request: true, identifier: 3, sequence: 4).bytes($0) })),
            ("ipv6-ns", ipv6(58, { ICMPv6Builder.neighborSolicitation(target: v6b, sourceLinkLayer: mac1).bytes($0) }) { $0.hopLimit = 255 }),
            ("ipv6-na", ipv6(58, { ICMPv6Builder.neighborAdvertisement(target: v6b, flags: 0x60, targetLinkLayer: mac2).bytes($0) }) { $0.hopLimit = 255 }),
            ("arp-request", EthernetFrame(destination: .broadcast, source: mac1, etherType: EtherType.arp,
                                          payload: ARPMessage(operation: 1, senderHardwareAddress: mac1, senderProtocolAddress: v4a,
                                                              targetProtocolAddress: v4b).bytes()).bytes(minimumLength: 60)),
            ("vxlan", ipv4(17, { p in
                let inner = EthernetFrame(destination: mac2, source: mac1, etherType: EtherType.ipv4,
                                          payload: IPv4Packet(source: IPv4Address(192, 168, 0, 1), destination: IPv4Address(192, 168, 0, 2), protocol: 1,
                                                              payload: ICMPv4Builder.echo(request: true, identifier: 1, sequence: 1).bytes()).bytes()).bytes()
                return UDPDatagram(sourcePort: 49152, destinationPort: 4789, payload: vxlanPayload(vni: 5000, inner: inner)).bytes(p)
            })),
            ("lacp", EthernetFrame(destination: LACPDU.destination, source: mac1, etherType: EtherType.slowProtocols,
                                   payload: LACPDU.build(actor: .init(systemPriority: 32768, system: mac1, key: 13, portPriority: 255, port: 1,
                                                                     state: [.activity, .aggregation, .synchronization]),
                                                        partner: .init(), collectorMaxDelay: 0)).bytes()),
            ("lldp", EthernetFrame(destination: LLDPDU.destination, source: mac1, etherType: EtherType.lldp,
                                   payload: LLDPDU(chassisIDSubtype: 4, chassisID: mac1.octets, portIDSubtype: 5,
                                                   portID: Array("eth1".utf8), ttl: 120, systemName: "sw1").bytes()).bytes(minimumLength: 60)),
        ]
    }
}
