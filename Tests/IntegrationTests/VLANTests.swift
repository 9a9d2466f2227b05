import Foundation
import Testing
import TestSupport

extension Integration {
    /// VLAN isolation by access ports, on one switch and across an 802.1Q trunk between two
    /// vswitchd processes. All hosts share 10.92.0.0/24, so a failed ping can only be the
    /// layer-2 isolation, not a missing route.
    @Suite("VLANs")
    struct VLANs {
        @Test func accessPortsIsolateTwoVLANsOnOneSwitch() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            // h1, h2 on VLAN 10; h3, h4 on VLAN 20.
            let ns = (1...4).map { lab.name("h\($0)") }
            let ip = (1...4).map { "10.92.0.\($0)" }
            let mac = (1...4).map { "02:00:00:00:92:0\($0)" }
            let config = try lab.write("vlans-one-switch.yaml", """
                name: \(lab.prefix)-vlans
                switches:
                  s1:
                    datapath-id: 0x1
                    fail-mode: standalone
                    ports:
                      1: {name: \(lab.name("t1")), type: tap, vlan: {mode: access, tag: 10}}
                      2: {name: \(lab.name("t2")), type: tap, vlan: {mode: access, tag: 10}}
                      3: {name: \(lab.name("t3")), type: tap, vlan: {mode: access, tag: 20}}
                      4: {name: \(lab.name("t4")), type: tap, vlan: {mode: access, tag: 20}}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: \(ip[0])/24, mac: "\(mac[0])", namespace: \(ns[0])}
                  h2: {switch: s1, port: 2, ip: \(ip[1])/24, mac: "\(mac[1])", namespace: \(ns[1])}
                  h3: {switch: s1, port: 3, ip: \(ip[2])/24, mac: "\(mac[2])", namespace: \(ns[2])}
                  h4: {switch: s1, port: 4, ip: \(ip[3])/24, mac: "\(mac[3])", namespace: \(ns[3])}
                """)
            let sw = try lab.startSwitch(config: config, switch: "s1")

            #expect(try lab.ping(from: ns[0], ip[1]), "h1 -> h2 (both VLAN 10)")
            #expect(try lab.ping(from: ns[2], ip[3]), "h3 -> h4 (both VLAN 20)")
            for (from, to) in [(0, 2), (0, 3), (1, 2), (3, 1)] {
                #expect(try !lab.ping(from: ns[from], ip[to], count: 1, wait: 1),
                        "h\(from + 1) (VLAN \(from < 2 ? 10 : 20)) must not reach h\(to + 1) (VLAN \(to < 2 ? 10 : 20))")
            }

            // The switch learned each MAC in its own VLAN, on its own port.
            let fdb = try lab.sdnctl(sw, ["fdb"])
            #expect(fdb.status == 0, "fdb: \(fdb.stderr)")
            let entries = FDBEntry.parse(fdb.stdout)
            for i in 0..<4 {
                let want = FDBEntry(port: String(i + 1), vlan: i < 2 ? 10 : 20, mac: mac[i])
                #expect(entries.contains(want), "fdb lacks \(want):\n\(fdb.stdout)")
                #expect(!entries.contains { $0.mac == mac[i] && $0.vlan != want.vlan }, "\(mac[i]) learned in a foreign VLAN:\n\(fdb.stdout)")
            }
        }

        @Test func trunkBetweenTwoSwitchesCarriesBothVLANsTagged() throws {
            guard integrationGate(tools: namespaceTools + ["tcpdump"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let trunkA = lab.name("va"), trunkB = lab.name("vb")
            let added = try lab.run("ip", ["link", "add", trunkA, "type", "veth", "peer", "name", trunkB])
            try #require(added.status == 0, "ip link add veth: \(added.stderr)")

            // s1: h1 (VLAN 10), h3 (VLAN 20); s2: h2 (VLAN 10), h4 (VLAN 20).
            let ns = (1...4).map { lab.name("h\($0)") }
            let ip = (1...4).map { "10.92.0.\($0)" }
            let config = try lab.write("vlans-trunk.yaml", """
                name: \(lab.prefix)-trunk
                switches:
                  s1:
                    datapath-id: 0x1
                    fail-mode: standalone
                    ports:
                      1: {name: \(lab.name("t1")), type: tap, vlan: {mode: access, tag: 10}}
                      2: {name: \(lab.name("t3")), type: tap, vlan: {mode: access, tag: 20}}
                      3: {name: trunk, type: system, interface: \(trunkA), vlan: {mode: trunk, trunks: [10, 20]}}
                    flows:
                      - "priority=0,actions=normal"
                  s2:
                    datapath-id: 0x2
                    fail-mode: standalone
                    ports:
                      1: {name: \(lab.name("t2")), type: tap, vlan: {mode: access, tag: 10}}
                      2: {name: \(lab.name("t4")), type: tap, vlan: {mode: access, tag: 20}}
                      3: {name: trunk, type: system, interface: \(trunkB), vlan: {mode: trunk, trunks: [10, 20]}}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: \(ip[0])/24, mac: "02:00:00:00:92:01", namespace: \(ns[0])}
                  h2: {switch: s2, port: 1, ip: \(ip[1])/24, mac: "02:00:00:00:92:02", namespace: \(ns[1])}
                  h3: {switch: s1, port: 2, ip: \(ip[2])/24, mac: "02:00:00:00:92:03", namespace: \(ns[2])}
                  h4: {switch: s2, port: 2, ip: \(ip[3])/24, mac: "02:00:00:00:92:04", namespace: \(ns[3])}
                """)
            _ = try lab.startSwitch(config: config, switch: "s1")
            _ = try lab.startSwitch(config: config, switch: "s2")

            // Capture the ICMP on the trunk while one ping per VLAN crosses it (IPv6 chatter and
            // ARP are filtered out so the 4 frames are exactly request + reply per VLAN).
            let capture = lab.path("trunk.pcap")
            let tcpdump = try lab.spawn("tcpdump", "timeout",
                                        ["-k", "2", "20", "tcpdump", "-i", trunkA, "-nn", "-e", "-c", "4", "-w", capture,
                                         "vlan and icmp"])
            try #require(Lab.poll(seconds: 10) { tcpdump.stderr.contains("listening on") || !tcpdump.isRunning },
                         "tcpdump did not start: \(tcpdump.stderr)")
            #expect(try lab.ping(from: ns[0], ip[1], count: 1), "h1 -> h2 across the trunk (VLAN 10)")
            #expect(try lab.ping(from: ns[2], ip[3], count: 1), "h3 -> h4 across the trunk (VLAN 20)")
            let captured = tcpdump.waitForExit(seconds: 15)
            #expect(captured == 0, "tcpdump did not capture 4 frames (status \(String(describing: captured))): \(tcpdump.stderr)")

            let read = try lab.run("tcpdump", ["-r", capture, "-nn", "-e"])
            try #require(read.status == 0, "tcpdump -r: \(read.stderr)")
            let lines = read.stdout.split(separator: "\n").map(String.init)
            print("trunk capture:\n" + lines.joined(separator: "\n"))
            func frames(vlan: Int, _ src: String, _ dst: String) -> [String] {
                lines.filter { $0.contains("ethertype 802.1Q (0x8100)") && $0.contains("vlan \(vlan),")
                    && $0.contains("\(src) > \(dst): ICMP echo") }
            }
            #expect(frames(vlan: 10, ip[0], ip[1]).count == 1, "echo request h1 -> h2 tagged VLAN 10")
            #expect(frames(vlan: 10, ip[1], ip[0]).count == 1, "echo reply h2 -> h1 tagged VLAN 10")
            #expect(frames(vlan: 20, ip[2], ip[3]).count == 1, "echo request h3 -> h4 tagged VLAN 20")
            #expect(frames(vlan: 20, ip[3], ip[2]).count == 1, "echo reply h4 -> h3 tagged VLAN 20")

            // Repeated traffic keeps working both ways, and nothing leaks between the VLANs.
            #expect(try lab.ping(from: ns[1], ip[0]), "h2 -> h1 across the trunk (VLAN 10)")
            #expect(try lab.ping(from: ns[3], ip[2]), "h4 -> h3 across the trunk (VLAN 20)")
            for (from, to) in [(0, 3), (2, 1), (1, 2), (3, 0)] {
                #expect(try !lab.ping(from: ns[from], ip[to], count: 1, wait: 1),
                        "h\(from + 1) must not reach h\(to + 1) in the other VLAN across the trunk")
            }
        }
    }
}
