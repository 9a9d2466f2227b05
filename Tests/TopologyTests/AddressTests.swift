import Testing
@testable import Topology

@Suite struct AddressTests {
    @Test func ipv4CIDR() throws {
        let cidr = try #require(IPv4CIDR("10.0.0.1/24"))
        #expect(cidr.address == 0x0A00_0001 && cidr.prefixLength == 24)
        #expect(cidr.netmask == 0xFFFF_FF00)
        #expect(cidr.networkString == "10.0.0.0/24")
        #expect(IPv4CIDR.format(cidr.broadcast) == "10.0.0.255")
        #expect(cidr.contains(0x0A00_00FE) && !cidr.contains(0x0A00_0100))
        #expect(cidr.octets == [10, 0, 0, 1])
        #expect(cidr.description == "10.0.0.1/24")
        #expect(IPv4CIDR("0.0.0.0/0")?.contains(0xFFFF_FFFF) == true)
        for bad in ["10.0.0.1", "10.0.0/24", "10.0.0.256/24", "010.0.0.1/24", "10.0.0.1/33", "10.0.0.1/", "a.b.c.d/8", " 10.0.0.1/24"] {
            #expect(IPv4CIDR(bad) == nil, "\(bad)")
        }
    }

    @Test(arguments: [
        ("2001:db8::2", "2001:db8::2"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("::ffff:10.0.0.1", "::ffff:a00:1"),
        ("0:0:1:0:0:0:0:0", "0:0:1::"),
    ])
    func ipv6Formatting(text: String, canonical: String) throws {
        let bytes = try #require(IPv6CIDR.parseAddress(text))
        #expect(IPv6CIDR.format(bytes) == canonical)
    }

    @Test func ipv6Refusals() {
        for bad in [":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", "::1.2.3", "1.2.3.4::"] {
            #expect(IPv6CIDR.parseAddress(bad) == nil, "\(bad)")
        }
        #expect(IPv6CIDR("2001:db8::1") == nil, "prefix length required")
        #expect(IPv6CIDR("2001:db8::1/129") == nil)
    }

    @Test func ipv6Contains() throws {
        let cidr = try #require(IPv6CIDR("2001:db8:0:1::5/60"))
        #expect(cidr.contains(try #require(IPv6CIDR.parseAddress("2001:db8:0:f::1"))))
        #expect(!cidr.contains(try #require(IPv6CIDR.parseAddress("2001:db8:0:10::1"))))
    }

    @Test func ethernetAddress() throws {
        let mac = try #require(EthernetAddress("02:AB:00:00:00:01"))
        #expect(mac.bytes == [0x02, 0xAB, 0, 0, 0, 1])
        #expect(mac.description == "02:ab:00:00:00:01")
        #expect(mac.isLocallyAdministered && !mac.isMulticast)
        #expect(EthernetAddress("02-ab-00-00-00-01") == mac)
        for bad in ["02:ab:00:00:00", "02:ab:00:00:00:01:02", "2:ab:0:0:0:1", "02:ab:00:00:00:0g", "02ab00000001"] {
            #expect(EthernetAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func gatewayLiteral() {
        #expect(IPAddressLiteral("10.0.0.254") == .ipv4(0x0A00_00FE))
        #expect(IPAddressLiteral("fe80::1")?.description == "fe80::1")
        #expect(IPAddressLiteral("router") == nil)
    }

    @Test(arguments: [
        ("tcp:127.0.0.1:6653", ControllerTarget(host: "127.0.0.1", port: 6653)),
        ("tcp:10.1.2.3", ControllerTarget(host: "10.1.2.3", port: 6653)),
        ("tcp:[::1]:6654", ControllerTarget(host: "::1", port: 6654)),
        ("tcp:[2001:db8::1]", ControllerTarget(host: "2001:db8::1", port: 6653)),
        ("tcp:2001:db8::1", ControllerTarget(host: "2001:db8::1", port: 6653)),
    ])
    func controllerTargets(text: String, target: ControllerTarget) throws {
        #expect(try ControllerTarget.parse(text).get() == target)
    }

    @Test(arguments: [
        ("ssl:1.2.3.4:6653", "ssl connections are not supported yet; use tcp:IP:PORT"),
        ("tcp:", "expected tcp:IP:PORT, got 'tcp:'"),
        ("tcp:host.example:6653", "'host.example' in 'tcp:host.example:6653' is not an IP address (expected tcp:IP:PORT)"),
        ("tcp:1.2.3.4:x", "'x' in 'tcp:1.2.3.4:x' is not a TCP port (1-65535)"),
        ("tcp:[::1", "expected tcp:IP:PORT, got 'tcp:[::1'"),
        ("127.0.0.1:6653", "expected tcp:IP:PORT, got '127.0.0.1:6653'"),
    ])
    func controllerRefusals(text: String, message: String) {
        #expect(throws: TargetSyntaxError(message: message)) { try ControllerTarget.parse(text).get() }
    }

    @Test func listenTargets() throws {
        #expect(try ListenTarget.parse("ptcp:6634").get() == ListenTarget(port: 6634))
        #expect(try ListenTarget.parse("ptcp:0").get() == ListenTarget(port: 0))
        #expect(try ListenTarget.parse("ptcp:6634:127.0.0.1").get() == ListenTarget(port: 6634, host: "127.0.0.1"))
        #expect(try ListenTarget.parse("ptcp:6634:[::1]").get() == ListenTarget(port: 6634, host: "::1"))
        #expect(ListenTarget(port: 6634, host: "::1").description == "ptcp:6634:[::1]")
        #expect(throws: TargetSyntaxError.self) { try ListenTarget.parse("ptcp:6634:localhost").get() }
        #expect(throws: TargetSyntaxError.self) { try ListenTarget.parse("ptcp:").get() }
        #expect(throws: TargetSyntaxError.self) { try ListenTarget.parse("6634").get() }
    }

    @Test func editDistanceAndSuggestions() {
        #expect(editDistance("datapth-id", "datapath-id") == 1)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(editDistance("", "abc") == 3)
        #expect(closestMatch(to: "fail_mode", in: ["fail-mode", "flows"]) == "fail-mode")
        #expect(closestMatch(to: "prots", in: ["ports", "port"]) == "ports")
        #expect(closestMatch(to: "widgets", in: ["switches", "hosts"]) == nil)
        #expect(closestMatch(to: "c", in: ["a", "b"]) == nil, "not for one-letter keys that share nothing")
    }
}
