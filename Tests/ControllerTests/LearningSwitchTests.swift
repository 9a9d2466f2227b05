import Controller
import Foundation
import OpenFlow
import Packet
import Testing

@Suite("Learning switch app")
struct LearningSwitchTests {
    @Test("Unknown destination floods; once both are learned a PACKET_IN gets FLOW_MOD + PACKET_OUT")
    func learnsAndInstalls() async throws {
        let learning = LearningSwitchApp()
        let controller = try await startController(apps: [learning])
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0x11, ports: [1, 2, 3])
        try await connect(fake, to: controller, waitForResync: true)

        // The table-miss flow is intended state: re-sync installed it.
        let miss = OFFlowMod(cookie: LearningSwitchApp.tableMissCookie, tableID: 0, priority: 0, match: .all,
                             instructions: [.applyActions([.output(port: OFPortNumber.controller, maxLength: 0xFFFF)])])
        #expect(fake.flowSet == [FlowEntry(miss)])
        fake.clearReceived()

        // A → B, B unknown: flood, excluding the ingress port.
        let ab = frame(from: macA, to: macB)
        fake.sendPacketIn(ab, inPort: 1)
        #expect(await eventually { fake.packetOuts.count == 1 })
        let flood = try #require(fake.packetOuts.first)
        #expect(outputs(flood.actions) == [OFPortNumber.flood])
        #expect(flood.inPort == 1)
        #expect(flood.data == ab)
        #expect(fake.flowMods.isEmpty)
        #expect(learning.port(of: macA, datapathID: 0x11) == 1)

        // B → A, A known on port 1: a flow for B → A, and the frame sent to port 1.
        let ba = frame(from: macB, to: macA)
        fake.sendPacketIn(ba, inPort: 2)
        #expect(await eventually { fake.packetOuts.count == 2 && fake.flowMods.count == 1 })
        let flow = try #require(fake.flowMods.first)
        #expect(flow.command == .add)
        #expect(flow.tableID == 0)
        #expect(flow.priority == 10)
        #expect(flow.idleTimeout == 60)
        #expect(LearningSwitchApp.cookieSpace.contains(flow.cookie))
        #expect(FlowSync.normalize(flow.match) == FlowSync.normalize(OFMatch([.inPort(2), .ethSrc(macB), .ethDst(macA), .vlanNone])))
        #expect(outputs(flow.instructions) == [1])
        let out = try #require(fake.packetOuts.last)
        #expect(outputs(out.actions) == [1])
        #expect(out.data == ba)
        #expect(out.bufferID == OFP.noBuffer)
        // FLOW_MOD before PACKET_OUT, so the switch has the flow when the next frame comes.
        let types = fake.received.filter { $0.type == .flowMod || $0.type == .packetOut }.map(\.type)
        #expect(types == [.packetOut, .flowMod, .packetOut])
        #expect(learning.port(of: macB, datapathID: 0x11) == 2)

        // A → B again: B is known now.
        fake.sendPacketIn(ab, inPort: 1)
        #expect(await eventually { fake.flowMods.count == 2 })
        #expect(outputs(fake.flowMods[1].instructions) == [2])
        #expect(FlowSync.normalize(fake.flowMods[1].match) == FlowSync.normalize(OFMatch([.inPort(1), .ethSrc(macA), .ethDst(macB), .vlanNone])))
    }

    @Test("VLANs are learned separately: the same MAC in two VLANs, on two ports")
    func vlanSeparation() async throws {
        let learning = LearningSwitchApp()
        let controller = try await startController(apps: [learning])
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0x12, ports: [1, 2, 3])
        try await connect(fake, to: controller, waitForResync: true)
        fake.clearReceived()

        fake.sendPacketIn(frame(from: macA, to: .broadcast, vlan: 10), inPort: 1)
        fake.sendPacketIn(frame(from: macA, to: .broadcast, vlan: 20), inPort: 2)
        #expect(await eventually { fake.packetOuts.count == 2 })
        #expect(learning.port(of: macA, vlan: 10, datapathID: 0x12) == 1)
        #expect(learning.port(of: macA, vlan: 20, datapathID: 0x12) == 2)
        #expect(learning.port(of: macA, datapathID: 0x12) == nil)

        // C in VLAN 10 → A goes to port 1; C in VLAN 20 → A goes to port 2.
        fake.sendPacketIn(frame(from: macC, to: macA, vlan: 10), inPort: 3)
        #expect(await eventually { fake.flowMods.count == 1 })
        fake.sendPacketIn(frame(from: macC, to: macA, vlan: 20), inPort: 3)
        // Each answer is a FLOW_MOD and a PACKET_OUT; wait for both, or a late PACKET_OUT would
        // land after the clear below.
        #expect(await eventually { fake.flowMods.count == 2 && fake.packetOuts.count == 4 })
        let (f10, f20) = (fake.flowMods[0], fake.flowMods[1])
        #expect(outputs(f10.instructions) == [1])
        #expect(f10.match[.vlanVID] == .vlanVID(10))
        #expect(outputs(f20.instructions) == [2])
        #expect(f20.match[.vlanVID] == .vlanVID(20))

        // Untagged, A is unknown: flood.
        fake.clearReceived()
        fake.sendPacketIn(frame(from: macC, to: macA), inPort: 3)
        #expect(await eventually { fake.packetOuts.count == 1 })
        #expect(outputs(fake.packetOuts[0].actions) == [OFPortNumber.flood])
        #expect(fake.flowMods.isEmpty)
        #expect(learning.entries.count == 5)  // A×2, C×3 (VLAN 10, 20, untagged)
    }

    @Test("A MAC that moves deletes the learned flows towards it")
    func macMove() async throws {
        let learning = LearningSwitchApp()
        let controller = try await startController(apps: [learning])
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0x13, ports: [1, 2, 3])
        try await connect(fake, to: controller, waitForResync: true)
        fake.clearReceived()

        fake.sendPacketIn(frame(from: macA, to: .broadcast), inPort: 1)
        fake.sendPacketIn(frame(from: macB, to: macA), inPort: 2)
        #expect(await eventually { fake.flowMods.count == 1 })
        fake.sendPacketIn(frame(from: macA, to: .broadcast), inPort: 3)
        #expect(await eventually { fake.flowMods.count == 2 })
        let delete = fake.flowMods[1]
        #expect(delete.command == .delete)
        #expect(delete.cookieMask == LearningSwitchApp.cookieSpace.mask)
        #expect(delete.match[.ethDst] == .ethDst(macA))
        #expect(learning.port(of: macA, datapathID: 0x13) == 3)
        // The learned flow towards A on port 1 is gone; the table-miss flow stays.
        #expect(await eventually { fake.flows.count == 1 })
        #expect(learning.counters.moves == 1)
    }

    @Test("LLDP and other bridge-filtered frames are never forwarded")
    func ignoresLLDP() async throws {
        let learning = LearningSwitchApp()
        let recorder = RecordingApp()
        let controller = try await startController(apps: [learning, recorder])
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0x14, ports: [1, 2])
        try await connect(fake, to: controller, waitForResync: true)
        fake.clearReceived()

        fake.sendPacketIn(LLDPDiscoveryApp.probeFrame(datapathID: 9, port: 1, source: macA), inPort: 1)
        fake.sendPacketIn(EthernetFrame(destination: MACAddress(0x01, 0x80, 0xC2, 0, 0, 0x02), source: macB,
                                        etherType: 0x8809, payload: [1, 1]).bytes(minimumLength: 60), inPort: 2)
        #expect(await eventually { recorder.events.value.filter { $0.hasPrefix("packetIn") }.count == 2 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(fake.packetOuts.isEmpty)
        #expect(fake.flowMods.isEmpty)
        #expect(learning.entries.isEmpty)
        #expect(learning.counters.ignored == 2)
    }

    @Test("A frame whose destination is behind its own ingress port is dropped")
    func sameportDrop() async throws {
        let learning = LearningSwitchApp()
        let controller = try await startController(apps: [learning])
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0x15, ports: [1, 2])
        try await connect(fake, to: controller, waitForResync: true)
        fake.clearReceived()
        fake.sendPacketIn(frame(from: macA, to: .broadcast), inPort: 1)
        #expect(await eventually { fake.packetOuts.count == 1 })
        fake.sendPacketIn(frame(from: macB, to: macA), inPort: 1)
        #expect(await eventually { learning.port(of: macB, datapathID: 0x15) == 1 })
        try await Task.sleep(for: .milliseconds(50))
        #expect(fake.packetOuts.count == 1)
        #expect(fake.flowMods.isEmpty)
    }
}
