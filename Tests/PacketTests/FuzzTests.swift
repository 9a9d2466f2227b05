import Testing
import TestSupport
@testable import Packet

/// A million random and mutated frames through every view and the key extractor: no crash, no
/// read past the buffer (the buffer is exactly the frame, so the sanitizer-free debug build's
/// bounds preconditions and the invariants below catch overreads).
@Suite struct FuzzTests {
    @Test func millionMutatedFrames() {
        var rng = SeededGenerator(seed: 0x5D4E)
        let corpus = SampleFrames.all.map(\.bytes)
        var statuses: [String: Int] = [:]
        var buffer = [UInt8](repeating: 0, count: 1600)
        for i in 0..<1_000_000 {
            let length: Int
            if i % 8 == 0 {
                // Pure noise, biased towards interesting ethertypes.
                length = Int.random(in: 0...200, using: &rng)
                for j in 0..<length { buffer[j] = UInt8.random(in: 0...255, using: &rng) }
                if length >= 14 {
                    let types: [UInt16] = [0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8, 0x8809, 0x88CC]
                    let t = types[Int.random(in: 0..<types.count, using: &rng)]
                    buffer[12] = UInt8(t >> 8); buffer[13] = UInt8(t & 0xFF)
                }
            } else {
                let seed = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
                length = Int.random(in: 0...seed.count, using: &rng)
                for j in 0..<length { buffer[j] = seed[j] }
                let flips = Int.random(in: 0...4, using: &rng)
                for _ in 0..<flips where length > 0 {
                    buffer[Int.random(in: 0..<length, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            let status = buffer.withUnsafeBytes { all in
                exercise(UnsafeRawBufferPointer(rebasing: all[..<length]))
            }
            statuses[status.description, default: 0] += 1
        }
        #expect(statuses.values.reduce(0, +) == 1_000_000)
        // The mix must actually reach the deep layers, or the test proves little.
        #expect(statuses["ok", default: 0] > 100_000)
        #expect(statuses["truncated:tcp", default: 0] > 1000)
        #expect(statuses["truncated:ipv6", default: 0] > 1000)
        #expect(statuses["malformed:ipv4", default: 0] > 1000)
    }

    func exercise(_ frame: UnsafeRawBufferPointer) -> ParseStatus {
        let parsed = FlowKey.extract(from: frame, inPort: 1)
        #expect(Int(parsed.layout.l3End) <= frame.count)
        if parsed.layout.l4Offset >= 0 && parsed.status == .ok {
            #expect(Int(parsed.layout.l4Offset) <= frame.count)
        }
        guard let eth = try? EthernetHeader(frame) else { return parsed.status }
        _ = (eth.source, eth.destination)
        guard let stack = try? VLANStack(frame) else { return parsed.status }
        let l3 = frame.suffix(from: stack.payloadOffset)
        switch stack.innerEtherType {
        case EtherType.ipv4:
            if let ip = try? IPv4Header(l3) {
                _ = (ip.options.count, ip.isChecksumValid)
                let payload = ip.payload
                if let tcp = try? TCPHeader(payload) { _ = (tcp.options.count, tcp.payload.count, tcp.flags) }
                if let udp = try? UDPHeader(payload) {
                    _ = udp.payload.count
                    if let vx = try? VXLANHeader(udp.payload) { _ = FlowKey.extract(from: vx.innerFrame, inPort: 0) }
                }
                if let icmp = try? ICMPv4Message(payload) { _ = (icmp.identifier, icmp.isChecksumValid) }
            }
        case EtherType.ipv6:
            if let ip = try? IPv6Header(l3), let upper = try? ip.upperLayer() {
                _ = try? ip.extensionHeaders()
                if let m = try? ICMPv6Message(l3.suffix(from: upper.offset)) {
                    _ = (m.targetAddress, m.linkLayerAddress, m.advertisementFlags)
                }
            }
        case EtherType.arp:
            if let arp = try? ARPPacket(l3) { _ = arp.targetProtocolAddress }
        case EtherType.slowProtocols:
            if let pdu = try? LACPDU(l3) { _ = (pdu.actor, pdu.partner) }
        case EtherType.lldp:
            _ = try? LLDPDU(l3)
        default:
            break
        }
        return parsed.status
    }
}
