import Controller
import Foundation
import OpenFlow
import Packet
import Testing

@Suite("LLDP link discovery")
struct LLDPDiscoveryTests {
    typealias Link = LLDPDiscoveryApp.Link
    typealias End = LLDPDiscoveryApp.LinkEnd

    @Test("The probe frame: nearest-bridge address, 0x88cc, chassis dpid:<16 hex>, port id, TTL 120")
    func probeFrame() throws {
        let source = MACAddress(0x02, 0, 0, 0, 0xAA, 0x01)
        let bytes = LLDPDiscoveryApp.probeFrame(datapathID: 0xA, port: 1, source: source)
        #expect(bytes.count >= 60)
        #expect(Array(bytes[0..<6]) == LLDPDU.destination.octets)
        #expect(Array(bytes[6..<12]) == source.octets)
        #expect(bytes[12] == 0x88 && bytes[13] == 0xCC)
        let lldp = try bytes.withUnsafeBytes { try LLDPDU(UnsafeRawBufferPointer(rebasing: $0[14...])) }
        #expect(lldp.chassisIDSubtype == 7)
        #expect(lldp.chassisIDText == "dpid:000000000000000a")
        #expect(lldp.portIDSubtype == 7)
        #expect(lldp.portIDText == "1")
        #expect(lldp.ttl == 120)
        #expect(LLDPDiscoveryApp.parseProbe(bytes) == End(datapathID: 0xA, port: 1))
        // Someone else's LLDP (MAC chassis id) is not a probe of ours.
        let foreign = EthernetFrame(destination: LLDPDU.destination, source: source, etherType: 0x88CC,
                                    payload: LLDPDU(chassisIDSubtype: 4, chassisID: source.octets, portIDSubtype: 5,
                                                    portID: Array("eth0".utf8), ttl: 120).bytes()).bytes()
        #expect(LLDPDiscoveryApp.parseProbe(foreign) == nil)
        #expect(LLDPDiscoveryApp.parseProbe(frame(from: macA, to: macB)) == nil)
    }

    @Test("A's probe out of port 1, arriving at B port 3, is the link A:1 → B:3")
    func discoversLink() async throws {
        let lldp = LLDPDiscoveryApp(interval: .seconds(60))
        let controller = try await startController(apps: [lldp])
        defer { Task { await controller.shutdown() } }
        let a = FakeSwitch(datapathID: 0xA, ports: [1, 2, OFPortNumber.local])
        let b = FakeSwitch(datapathID: 0xB, ports: [3, 4])
        try await connect(a, to: controller, waitForResync: true)
        try await connect(b, to: controller, waitForResync: true)

        // The punt flow is intended state on both.
        let punt = OFFlowMod(cookie: LLDPDiscoveryApp.puntCookie, tableID: 0, priority: 65535, match: OFMatch([.ethType(0x88CC)]),
                             instructions: [.applyActions([.output(port: OFPortNumber.controller, maxLength: 0xFFFF)])])
        #expect(a.flowSet == [FlowEntry(punt)])
        #expect(b.flowSet == [FlowEntry(punt)])

        // Probes went out on connect, one per standard port (not LOCAL).
        #expect(await eventually { a.packetOuts.count == 2 && b.packetOuts.count == 2 })
        #expect(a.packetOuts.map { outputs($0.actions) } == [[1], [2]])
        let probe = try #require(a.packetOuts.first { outputs($0.actions) == [1] })
        #expect(probe.inPort == OFPortNumber.controller)
        #expect(Array(probe.data[6..<12]) == FakeSwitch.port(1, datapathID: 0xA).hwAddr.octets)

        b.sendPacketIn(probe.data, inPort: 3, reason: .action)
        let link = Link(source: End(datapathID: 0xA, port: 1), destination: End(datapathID: 0xB, port: 3))
        #expect(await eventually { lldp.links == [link] })
        #expect(lldp.lastSeen(link) != nil)

        // And the reverse direction from B's probe.
        let back = try #require(b.packetOuts.first { outputs($0.actions) == [3] })
        a.sendPacketIn(back.data, inPort: 1, reason: .action)
        #expect(await eventually { lldp.links.count == 2 })
        #expect(lldp.links.contains(Link(source: End(datapathID: 0xB, port: 3), destination: End(datapathID: 0xA, port: 1))))

        // B going away takes its links with it.
        b.close()
        #expect(await eventually { lldp.links.isEmpty })
    }

    @Test("Links age out after 3 intervals without a probe")
    func linksAgeOut() async throws {
        let lldp = LLDPDiscoveryApp(interval: .milliseconds(100))
        let controller = try await startController(apps: [lldp])
        defer { Task { await controller.shutdown() } }
        let a = FakeSwitch(datapathID: 0xA, ports: [1])
        let b = FakeSwitch(datapathID: 0xB, ports: [3])
        try await connect(a, to: controller)
        try await connect(b, to: controller)
        #expect(await eventually { !a.packetOuts.isEmpty })
        b.sendPacketIn(a.packetOuts[0].data, inPort: 3)
        #expect(await eventually { lldp.links.count == 1 })
        // Probes keep going out every 100 ms, but nobody feeds them back.
        let probes = lldp.probesSent
        #expect(await eventually { lldp.links.isEmpty })
        #expect(lldp.probesSent > probes)
    }

    @Test("Aging against an explicit clock")
    func agingClock() {
        let lldp = LLDPDiscoveryApp(interval: .seconds(5))
        let link = Link(source: End(datapathID: 1, port: 1), destination: End(datapathID: 2, port: 2))
        let t0 = ContinuousClock.now
        #expect(lldp.learn(link, at: t0))
        #expect(!lldp.learn(link, at: t0))
        #expect(lldp.maxAge == .seconds(15))
        #expect(lldp.expireLinks(now: t0 + .seconds(14)).isEmpty)
        #expect(lldp.links == [link])
        lldp.learn(link, at: t0 + .seconds(10))
        #expect(lldp.expireLinks(now: t0 + .seconds(24)).isEmpty)
        #expect(lldp.expireLinks(now: t0 + .seconds(26)) == [link])
        #expect(lldp.links.isEmpty)
    }

    @Test("A port going down drops its links")
    func portDownDropsLinks() async throws {
        let lldp = LLDPDiscoveryApp(interval: .seconds(60))
        let controller = try await startController(apps: [lldp])
        defer { Task { await controller.shutdown() } }
        let a = FakeSwitch(datapathID: 0xA, ports: [1])
        let b = FakeSwitch(datapathID: 0xB, ports: [3])
        try await connect(a, to: controller)
        try await connect(b, to: controller)
        #expect(await eventually { !a.packetOuts.isEmpty })
        b.sendPacketIn(a.packetOuts[0].data, inPort: 3)
        #expect(await eventually { lldp.links.count == 1 })
        b.sendPortStatus(.modify, FakeSwitch.port(3, datapathID: 0xB, state: .linkDown))
        #expect(await eventually { lldp.links.isEmpty })
    }
}
