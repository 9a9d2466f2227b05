import Testing
import TestSupport
@testable import Packet

@Suite struct ChecksumTests {
    /// RFC 1071 §3 worked example: words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d.
    @Test func rfc1071Example() {
        let data: [UInt8] = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]
        #expect(data.withUnsafeBytes { InternetChecksum.compute($0) } == 0x220D)
    }

    /// A captured IPv4 header (Wikipedia's example) whose checksum field is b861.
    @Test func knownIPv4Header() {
        let header: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                               0x00, 0x00, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7]
        #expect(header.withUnsafeBytes { InternetChecksum.compute($0) } == 0xB861)
    }

    @Test func oddLengthAndSplitAddsMatchOneShot() {
        var rng = SeededGenerator(seed: 7)
        for length in 0..<80 {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let whole = data.withUnsafeBytes { InternetChecksum.compute($0) }
            for split in stride(from: 0, through: length, by: max(1, length / 5)) {
                var c = InternetChecksum()
                data[..<split].withUnsafeBytes { c.add($0) }
                data[split...].withUnsafeBytes { c.add($0) }
                #expect(c.value == whole, "length \(length) split \(split)")
            }
            // Reference: the textbook 16-bit loop.
            var sum: UInt32 = 0
            var i = 0
            while i + 1 < length { sum += UInt32(data[i]) << 8 | UInt32(data[i + 1]); i += 2 }
            if i < length { sum += UInt32(data[i]) << 8 }
            while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
            #expect(whole == ~UInt16(sum), "length \(length)")
        }
    }

    /// RFC 1624: updating a checksum for a changed field equals recomputing it.
    @Test func incrementalUpdateMatchesRecompute() throws {
        var rng = SeededGenerator(seed: 1624)
        for _ in 0..<2000 {
            var packet = IPv4Packet(source: IPv4Address(rawValue: rng.next32()),
                                    destination: IPv4Address(rawValue: rng.next32()),
                                    protocol: 17, payload: [])
            packet.ttl = UInt8.random(in: 1...255, using: &rng)
            packet.identification = UInt16.random(in: 0...0xFFFF, using: &rng)
            var bytes = packet.bytes()
            let oldChecksum = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
            // Change the source address (32-bit field) and the TTL/protocol word (16-bit field).
            let newSource = rng.next32()
            let updated32 = InternetChecksum.update(oldChecksum, old: packet.source.rawValue, new: newSource)
            packet.source = IPv4Address(rawValue: newSource)
            bytes = packet.bytes()
            #expect(updated32 == UInt16(bytes[10]) << 8 | UInt16(bytes[11]))

            let oldWord = UInt16(packet.ttl) << 8 | 17
            packet.ttl &-= 1
            let updated16 = InternetChecksum.update(updated32, old: oldWord, new: UInt16(packet.ttl) << 8 | 17)
            bytes = packet.bytes()
            #expect(updated16 == UInt16(bytes[10]) << 8 | UInt16(bytes[11]))
        }
    }

    @Test func transportChecksumVerifiesToZero() {
        let src = IPv4Address(10, 0, 0, 1), dst = IPv4Address(10, 0, 0, 2)
        let seg = TCPSegment(sourcePort: 1234, destinationPort: 80, flags: [.syn], payload: [1, 2, 3])
            .bytes(.v4(src, dst))
        #expect(seg.withUnsafeBytes { InternetChecksum.transport($0, protocol: 6, source: src, destination: dst) } == 0)
        let s6 = IPv6Address("fe80::1")!, d6 = IPv6Address("ff02::1")!
        let udp = UDPDatagram(sourcePort: 5, destinationPort: 6, payload: [9, 9, 9]).bytes(.v6(s6, d6))
        #expect(udp.withUnsafeBytes { InternetChecksum.transport($0, protocol: 17, source: s6, destination: d6) } == 0)
    }
}

extension SeededGenerator {
    mutating func next32() -> UInt32 { UInt32(truncatingIfNeeded: next()) }
}
