import FlowRules
import Testing
import Packet
@testable import VSwitch

@Suite struct NormalTests {
    let normal = [FlowSpec.on(nil, priority: 0, [.output(.normal)])]

    @Test func accessAndTrunkPorts() throws {
        let t = try TestSwitch(ports: [1, 2, 3, 4], vlans: [1: .access(10), 2: .access(20), 3: .trunk([10, 20]), 4: .access(10)], flows: normal)
        let bcast = Frames.udp(src: 1, dst: 9, dstMAC: .broadcast)
        let out = t.inject(bcast, on: 1)
        #expect(out.keys.sorted() == [3, 4])
        #expect(out[4]![0] == bcast)
        #expect(out[3]![0] == Frames.udp(src: 1, dst: 9, dstMAC: .broadcast, vlan: 10))
        // Reply from port 4 to the learned MAC goes to port 1 only.
        #expect(t.inject(Frames.udp(src: 4, dst: 1), on: 4).keys.sorted() == [1])
        // VLAN 20 from the trunk reaches only the VLAN 20 access port, untagged.
        let v20 = t.inject(Frames.udp(src: 33, dst: 9, dstMAC: .broadcast, vlan: 20), on: 3)
        #expect(v20.keys.sorted() == [2] && v20[2]![0] == Frames.udp(src: 33, dst: 9, dstMAC: .broadcast))
        // A VLAN the trunk does not carry, and a tagged frame on an access port, are dropped and counted.
        #expect(t.inject(Frames.udp(vlan: 30), on: 3).isEmpty)
        #expect(t.inject(Frames.udp(vlan: 10), on: 1).isEmpty)
        #expect(t.sw.datapath.port(PortNumber(3))!.counters.drops(.vlanNotCarried) == 1)
        #expect(t.sw.datapath.port(PortNumber(1))!.counters.drops(.vlanNotCarried) == 1)
    }

    @Test func nativeVLANModes() throws {
        let t = try TestSwitch(ports: [1, 2, 3],
                               vlans: [1: PortVLANMode(kind: .nativeUntagged, tag: 10, trunks: VLANSet([20])),
                                       2: PortVLANMode(kind: .nativeTagged, tag: 10, trunks: VLANSet([20])),
                                       3: .access(10)], flows: normal)
        let out = t.inject(Frames.udp(src: 3, dst: 9, dstMAC: .broadcast), on: 3)
        #expect(out[1]![0] == Frames.udp(src: 3, dst: 9, dstMAC: .broadcast))           // native untagged
        #expect(out[2]![0] == Frames.udp(src: 3, dst: 9, dstMAC: .broadcast, vlan: 10)) // native tagged
        let v20 = t.inject(Frames.udp(src: 5, dst: 9, dstMAC: .broadcast, vlan: 20), on: 1)
        #expect(v20.keys.sorted() == [2] && v20[2]![0] == Frames.udp(src: 5, dst: 9, dstMAC: .broadcast, vlan: 20))
        // Untagged on a native port joins the native VLAN.
        #expect(t.inject(Frames.udp(src: 6, dst: 9, dstMAC: .broadcast), on: 2).keys.sorted() == [1, 3])
    }

    @Test func macMovesAndTableLimit() throws {
        let t = try TestSwitch(ports: [1, 2, 3], flows: normal, macTableSize: 2)
        t.inject(Frames.udp(src: 1, dst: 9), on: 1)
        #expect(t.inject(Frames.udp(src: 2, dst: 1), on: 2).keys.sorted() == [1])
        t.inject(Frames.udp(src: 1, dst: 9), on: 3)  // host 1 moved to port 3
        #expect(t.inject(Frames.udp(src: 2, dst: 1), on: 2).keys.sorted() == [3])
        #expect(t.sw.datapath.macTable.moves == 1)
        t.inject(Frames.udp(src: 7, dst: 9), on: 1)  // table (size 2) is full: not learned, counted
        #expect(t.sw.datapath.counters.drops(.macTableFull) == 1)
        #expect(t.inject(Frames.udp(src: 2, dst: 7), on: 2).keys.sorted() == [1, 3])
        // Frames to a MAC learned on the input port are not sent back.
        #expect(t.inject(Frames.udp(src: 9, dst: 2), on: 2).isEmpty)
    }

    @Test func agingForgetsAddresses() throws {
        let t = try TestSwitch(ports: [1, 2, 3], flows: normal)
        t.inject(Frames.udp(src: 1, dst: 9), on: 1, now: 1_000_000_000)
        #expect(t.inject(Frames.udp(src: 2, dst: 1), on: 2, now: 2_000_000_000).keys.sorted() == [1])
        #expect(t.inject(Frames.udp(src: 2, dst: 1), on: 2, now: 302_000_000_000).keys.sorted() == [1, 3])
    }
}
