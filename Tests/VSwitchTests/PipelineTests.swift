import FlowRules
import Testing
import Packet
@testable import VSwitch

@Suite struct PipelineTests {
    @Test func flowModNeverLeavesStaleCacheEntry() throws {
        let t = try TestSwitch(ports: [1, 2, 3], flows: [.on(1, priority: 10, [.output(PortNumber(2))])])
        let f = Frames.udp()
        #expect(t.inject(f, on: 1).keys.sorted() == [2])
        #expect(t.inject(f, on: 1).keys.sorted() == [2])  // now served from the cache
        try t.sw.addFlow(.on(1, priority: 20, [.output(PortNumber(3))]))
        #expect(t.inject(f, on: 1).keys.sorted() == [3])
        t.sw.deleteFlows(FlowSelector(strictPriority: nil))
        #expect(t.inject(f, on: 1).isEmpty)
        #expect(t.sw.datapath.ports[0].counters.drops(.tableMiss) == 1)
    }

    @Test func addReplacesIdenticalAndResetsCounters() throws {
        let t = try TestSwitch(ports: [1, 2, 3], flows: [.on(1, [.output(PortNumber(2))])])
        t.inject(Frames.udp(), on: 1)
        #expect(t.sw.flows().first?.stats.packetCount == 1)
        try t.sw.addFlow(.on(1, [.output(PortNumber(3))]))
        #expect(t.sw.flows().count == 1)
        #expect(t.sw.flows().first?.stats.packetCount == 0)
        #expect(t.inject(Frames.udp(), on: 1).keys.sorted() == [3])
    }

    @Test func modifyKeepsCountersAndStrictness() throws {
        let t = try TestSwitch(ports: [1, 2, 3], flows: [.on(1, priority: 5, [.output(PortNumber(2))]),
                                                          .on(nil, priority: 1, [.output(PortNumber(2))])])
        t.inject(Frames.udp(), on: 1)
        // Non-strict modify with the in_port=1 match touches only flows at least as specific.
        var m = FlowMatch(); m.set(.inPort, 1)
        let n = try t.sw.modifyFlows(FlowSelector(match: m), instructions: .apply([.output(PortNumber(3))]))
        #expect(n == 1)
        #expect(t.sw.flows().first { $0.priority == 5 }?.stats.packetCount == 1)
        // Strict modify needs the exact priority.
        #expect(try t.sw.modifyFlows(FlowSelector(match: FlowMatch(), strictPriority: 2), instructions: .apply([])) == 0)
        #expect(try t.sw.modifyFlows(FlowSelector(match: FlowMatch(), strictPriority: 1), instructions: .apply([])) == 1)
        #expect(t.inject(Frames.udp(), on: 1).keys.sorted() == [3])
    }

    @Test func deleteFiltersByCookieAndOutPort() throws {
        var a = FlowSpec.on(1, priority: 1, [.output(PortNumber(2))]); a.cookie = 0x11
        var b = FlowSpec.on(2, priority: 1, [.output(PortNumber(3))]); b.cookie = 0x12
        var c = FlowSpec.on(3, priority: 1, [.output(PortNumber(2))]); c.cookie = 0x21
        let t = try TestSwitch(ports: [1, 2, 3], flows: [a, b, c])
        #expect(t.sw.deleteFlows(FlowSelector(cookie: 0x10, cookieMask: 0xF0)).count == 2)
        #expect(t.sw.flows().map(\.cookie) == [0x21])
        try t.sw.addFlows([a, b])
        #expect(t.sw.deleteFlows(FlowSelector(outPort: PortNumber(2))).map(\.cookie).sorted() == [0x11, 0x21])
    }

    @Test func checkOverlapAndValidation() throws {
        let t = try TestSwitch(ports: [1, 2])
        try t.sw.addFlow(.on(1, priority: 7, [.output(PortNumber(2))]))
        var overlapping = FlowSpec.on(nil, priority: 7, [], configure: { $0.set(.ethType, 0x0800) })
        overlapping.flags = 0x2
        #expect(throws: FlowModError.overlap) { try t.sw.addFlow(overlapping) }
        #expect(throws: FlowModError.badGotoTable(from: 3, to: 2)) { try t.sw.addFlow(.on(1, table: 3, [], goto: 2)) }
        #expect(throws: FlowModError.unknownGroup(9)) { try t.sw.addFlow(.on(1, [.group(9)])) }
        #expect(throws: FlowModError.badOutputPort(PortNumber(77))) { try t.sw.addFlow(.on(1, [.output(PortNumber(77))])) }
    }

    @Test func flowLimitIsEnforced() throws {
        var def = SwitchDefinition(name: "lim", failMode: .secure, ports: [.init(number: PortNumber(1), name: "m1", kind: .pcap)])
        def.maxFlows = 3
        let sw = try VirtualSwitch(def, pool: PacketBufferPool(capacity: 8, bufferSize: 2048)) { _ in MemoryPort(1) }
        for i in 0..<3 { try sw.addFlow(.on(1, priority: UInt16(i), [])) }
        #expect(throws: FlowModError.tableFull(limit: 3)) { try sw.addFlow(.on(1, priority: 99, [])) }
        try sw.addFlow(.on(1, priority: 1, [.output(.inPort)]))  // replacing is not growing
    }

    /// A flow-mod replaces the pipeline version; the old one is released on another thread, and
    /// must be released there (and with it the entries only it held).
    @Test func replacedVersionsAreReleased() throws {
        let t = try TestSwitch(ports: [1, 2])
        weak var first = t.sw.snapshot
        #expect(first != nil)
        try t.sw.addFlow(.on(1, [.output(PortNumber(2))]))
        weak var second = t.sw.snapshot
        try t.sw.addFlow(.on(2, [.output(PortNumber(1))]))
        VirtualSwitch.retired.sync {}  // serial: every release queued before this has run
        #expect(first == nil)
        #expect(second == nil)
        #expect(t.sw.snapshot.tables[0].count == 2)
    }

    @Test func timeoutsExpire() throws {
        var idle = FlowSpec.on(1, priority: 1, [.output(PortNumber(2))]); idle.idleTimeout = 5; idle.flags = 1
        var hard = FlowSpec.on(2, priority: 1, [.output(PortNumber(1))]); hard.hardTimeout = 10
        let t = try TestSwitch(ports: [1, 2], flows: [idle, hard])
        final class Log: @unchecked Sendable { var reasons: [FlowRemovedReason] = [] }
        let log = Log()
        t.sw.flowRemovedHandler = { _, reason in log.reasons.append(reason) }
        let start = MonotonicClock.nanoseconds()
        #expect(t.sw.expireFlows(now: start + 4_000_000_000) == 0)
        #expect(t.sw.expireFlows(now: start + 6_000_000_000) == 1)
        #expect(log.reasons == [.idleTimeout])  // only the SEND_FLOW_REM flow reports
        #expect(t.sw.expireFlows(now: start + 11_000_000_000) == 1)
        #expect(t.sw.flows().isEmpty)
    }

    @Test func gotoTableWriteMetadataAndActionSet() throws {
        let flows: [FlowSpec] = [
            FlowSpec(table: 0, priority: 1, match: { var m = FlowMatch(); m.set(.inPort, 1); return m }(),
                     instructions: Instructions(writeActions: [.output(PortNumber(2))], writeMetadata: (0xAB, 0xFF), gotoTable: 1)),
            FlowSpec(table: 1, priority: 1, match: { var m = FlowMatch(); m.set(.metadata, FieldValue(0xAB), mask: FieldValue(0xFF)); return m }(),
                     instructions: Instructions(applyActions: [.setField(.ethDst, FieldValue(0x0200_0000_0099))],
                                                writeActions: [.output(PortNumber(3))])),
        ]
        let t = try TestSwitch(ports: [1, 2, 3], flows: flows)
        let out = t.inject(Frames.udp(), on: 1)
        // write-actions replaced the output slot: one output, to port 3, with the rewritten MAC.
        #expect(out.keys.sorted() == [3])
        #expect(Array(out[3]![0][0..<6]) == [2, 0, 0, 0, 0, 0x99])
    }

    @Test func decTTLDropsExpiredAndFixesChecksum() throws {
        let t = try TestSwitch(ports: [1, 2], flows: [.on(1, [.decTTL, .output(PortNumber(2))])])
        let out = t.inject(Frames.udp(ttl: 9), on: 1)[2]![0]
        try out.withUnsafeBytes { raw in
            let ip = try IPv4Header(UnsafeRawBufferPointer(rebasing: raw[14...]))
            #expect(ip.ttl == 8 && ip.isChecksumValid)
        }
        #expect(t.inject(Frames.udp(ttl: 1), on: 1).isEmpty)
        #expect(t.sw.datapath.ports[0].counters.drops(.ttlExpired) == 1)
    }

    @Test func setFieldRewritesKeepChecksumsValid() throws {
        let t = try TestSwitch(ports: [1, 2], flows: [.on(1, [.setField(.ipv4Src, FieldValue(0xC000_0263)),
                                                               .setField(.udpDst, FieldValue(53)),
                                                               .setField(.ipDSCP, FieldValue(46)),
                                                               .output(PortNumber(2))], configure: { $0.set(.ethType, 0x0800); $0.set(.ipProto, 17) })])
        let out = t.inject(Frames.udp(), on: 1)[2]![0]
        try out.withUnsafeBytes { raw in
            let ip = try IPv4Header(UnsafeRawBufferPointer(rebasing: raw[14...]))
            #expect(ip.source == IPv4Address(192, 0, 2, 99) && ip.dscp == 46 && ip.isChecksumValid)
            let udp = try UDPHeader(ip.payload)
            #expect(udp.destinationPort == 53)
            #expect(InternetChecksum.transport(ip.payload, protocol: 17, source: ip.source, destination: ip.destination) == 0)
        }
    }

    @Test func groupsAllIndirectFastFailoverSelect() throws {
        let t = try TestSwitch(ports: [1, 2, 3, 4])
        try t.sw.groupMod(.add, GroupEntry(id: 1, kind: .all, buckets: [
            .init(actions: [.output(PortNumber(2))]),
            .init(actions: [.setField(.ethDst, FieldValue(0x0200_0000_0099)), .output(PortNumber(3))]),
        ]))
        try t.sw.groupMod(.add, GroupEntry(id: 2, kind: .fastFailover, buckets: [
            .init(watchPort: PortNumber(2), actions: [.output(PortNumber(2))]),
            .init(watchPort: PortNumber(3), actions: [.output(PortNumber(3))]),
        ]))
        try t.sw.groupMod(.add, GroupEntry(id: 3, kind: .select, buckets: [
            .init(weight: 1, actions: [.output(PortNumber(2))]),
            .init(weight: 1, actions: [.output(PortNumber(3))]),
        ]))
        try t.sw.addFlow(.on(1, [.group(1), .output(PortNumber(4))]))
        let out = t.inject(Frames.udp(), on: 1)
        #expect(out.keys.sorted() == [2, 3, 4])
        #expect(out[2]![0] == Frames.udp() && out[4]![0] == Frames.udp())  // the bucket's rewrite did not leak
        #expect(Array(out[3]![0][0..<6]) == [2, 0, 0, 0, 0, 0x99])

        try t.sw.addFlow(.on(1, priority: 200, [.group(2)]))
        #expect(t.inject(Frames.udp(), on: 1).keys.sorted() == [2])
        t.sw.datapath.port(PortNumber(2))!.state.hasCarrier = false
        t.sw.datapath.invalidateCache()
        #expect(t.inject(Frames.udp(), on: 1).keys.sorted() == [3])
        t.sw.datapath.port(PortNumber(2))!.state.hasCarrier = true
        t.sw.datapath.invalidateCache()

        try t.sw.addFlow(.on(1, priority: 300, [.group(3)]))
        var chosen: [UInt32: Int] = [:]
        for sport in UInt16(1000)..<1200 {
            let f = Frames.udp(sport: sport)
            let first = t.inject(f, on: 1).keys.sorted()
            #expect(first.count == 1)
            #expect(t.inject(f, on: 1).keys.sorted() == first)  // one flow, one bucket
            chosen[first[0], default: 0] += 1
        }
        #expect(chosen[2, default: 0] > 50 && chosen[3, default: 0] > 50)

        // Deleting a group removes the flows that use it.
        try t.sw.groupMod(.delete, GroupEntry(id: 3, kind: .select, buckets: []))
        #expect(!t.sw.flows().contains { $0.priority == 300 })
    }

    @Test func vlanPushPopAndTranslate() throws {
        let t = try TestSwitch(ports: [1, 2, 3], flows: [
            .on(1, [.modVLANVID(100), .output(PortNumber(2))]),
            .on(2, [.popVLAN, .output(PortNumber(1))]),
            .on(3, [.modVLANVID(300), .output(PortNumber(2))]),
        ])
        let tagged = t.inject(Frames.udp(), on: 1)[2]![0]
        #expect(tagged == Frames.udp(vlan: 100))
        #expect(t.inject(Frames.udp(vlan: 100), on: 2)[1]![0] == Frames.udp())
        #expect(t.inject(Frames.udp(vlan: 200), on: 3)[2]![0] == Frames.udp(vlan: 300))
    }

    @Test func standaloneWithoutControllerIsALearningSwitch() throws {
        let t = try TestSwitch(ports: [1, 2, 3], failMode: .standalone)
        #expect(t.inject(Frames.udp(src: 1, dst: 2), on: 1).keys.sorted() == [2, 3])  // flood
        #expect(t.inject(Frames.udp(src: 2, dst: 1), on: 2).keys.sorted() == [1])     // learned
        t.sw.setControllerConnected(true)
        #expect(t.inject(Frames.udp(src: 2, dst: 1), on: 2).isEmpty)                  // now table misses drop
    }
}
