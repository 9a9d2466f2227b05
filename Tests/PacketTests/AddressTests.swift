import Testing
@testable import Packet

@Suite struct AddressTests {
    @Test func macRoundTrip() {
        let m = MACAddress("02:00:0A:ff:00:01")
        #expect(m?.description == "02:00:0a:ff:00:01")
        #expect(MACAddress("02:00:0a:ff:00") == nil)
        #expect(MACAddress("02:00:0a:ff:00:1g") == nil)
        #expect(MACAddress.broadcast.isMulticast)
    }

    @Test func ipv4Parse() {
        #expect(IPv4Address("192.168.1.20")?.rawValue == 0xC0A8_0114)
        #expect(IPv4Address("256.1.1.1") == nil)
        #expect(IPv4Address("1.2.3") == nil)
        #expect(IPv4Address("1..2.3") == nil)
        #expect(IPv4Address(10, 0, 0, 1).description == "10.0.0.1")
    }

    /// RFC 5952 canonical text form.
    @Test(arguments: [
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"), ("::1", "::1"), ("fe80::", "fe80::"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::ffff:192.0.2.1", "::ffff:c000:201"),
    ])
    func ipv6Canonical(input: String, expected: String) {
        #expect(IPv6Address(input)?.description == expected)
    }

    @Test func ipv6Rejects() {
        #expect(IPv6Address("1::2::3") == nil)
        #expect(IPv6Address("12345::") == nil)
        #expect(IPv6Address("1:2:3:4:5:6:7:8:9") == nil)
        #expect(IPv6Address("1:2:3:4:5:6:7") == nil)
    }
}
