import Controller
import Foundation
import OpenFlow
import Packet
import Testing

@Suite("Re-sync of intended state")
struct ResyncTests {
    static let f1 = forward(1, to: 2)
    static let f2 = forward(2, to: 1)
    /// Not intended: re-sync deletes it.
    static let extra = OFFlowMod(cookie: 0x99, tableID: 1, priority: 50, match: OFMatch([.ethType(0x0806)]),
                                 instructions: [.applyActions([.output(port: OFPortNumber.normal, maxLength: 0)])])
    /// Learned by the learning app on an earlier connection: not intended, but left alone.
    static let learned = OFFlowMod(cookie: LearningSwitchApp.cookieSpace.value | 7, tableID: 0, idleTimeout: 60, priority: 10,
                                   match: OFMatch([.inPort(1), .ethDst(macB), .ethSrc(macA), .vlanNone]),
                                   instructions: [.applyActions([.output(port: 2, maxLength: 0)])])

    @Test("Connect: unexpected flows deleted, missing ones added, learned ones kept; reconnect in sync sends nothing")
    func convergesThenStaysQuiet() async throws {
        let learning = LearningSwitchApp()
        let controller = try await startController(apps: [learning])
        defer { Task { await controller.shutdown() } }
        try await controller.setStaticFlows([Self.f1, Self.f2], datapathID: 0x5)
        let intended = controller.intendedFlows(datapathID: 0x5)
        #expect(intended.count == 3)  // table-miss + f1 + f2

        let fake = FakeSwitch(datapathID: 0x5, flows: [Self.f1, Self.extra, Self.learned])
        fake.behaviour.flowStatsPerReply = 1
        try await connect(fake, to: controller, waitForResync: true)

        let report = try #require(controller.lastResync(datapathID: 0x5))
        #expect(report.installed == 3)
        #expect(report.unchanged == 1)
        #expect(report.unmanaged == 1)
        #expect(report.deleted.count == 1)
        #expect(Set(report.added.map(FlowEntry.init)) == Set([Self.f2, learning.intendedFlows(datapathID: 5)[0]].map(FlowEntry.init)))
        #expect(report.failures.isEmpty)
        #expect(fake.flowSet == Set((intended + [Self.learned]).map(FlowEntry.init)))

        // One barrier-confirmed batch: the delete (strict, cookie-exact), the adds, the barrier.
        let delete = try #require(fake.flowMods.first { $0.command == .deleteStrict })
        #expect(delete.tableID == 1 && delete.priority == 50 && delete.cookie == 0x99 && delete.cookieMask == ~0)
        #expect(fake.flowMods.count == 3)
        // (Echo keepalives may follow when a loaded machine stretches the test past an interval.)
        #expect(fake.received.last { if case .echoRequest = $0 { false } else { true } } == .barrierRequest)

        // The switch comes back with the same table: nothing to send.
        let sentBefore = controller.counters.flowModsSent
        let table = fake.flows
        fake.close()
        #expect(await eventually { controller.session(datapathID: 0x5) == nil })
        let again = FakeSwitch(datapathID: 0x5)
        again.behaviour.flowStatsPerReply = 1
        for flow in table { again.preload(flow) }
        try await connect(again, to: controller, waitForResync: true)
        let second = try #require(controller.lastResync(datapathID: 0x5))
        #expect(second.madeNoChanges)
        #expect(second.unchanged == 3)
        #expect(again.flowMods.isEmpty)
        #expect(!again.received.contains(.barrierRequest))
        #expect(controller.counters.flowModsSent == sentBefore)
        #expect(again.flowSet == Set(table.map(FlowEntry.init)))
    }

    @Test("A differing entry at an intended identity is replaced by an ADD, without a delete")
    func replacesDiffering() async throws {
        let controller = try await startController()
        defer { Task { await controller.shutdown() } }
        try await controller.setStaticFlows([Self.f1], datapathID: 0x6)
        let stale = forward(1, to: 3, cookie: 0x77)  // same table, priority, match; other output and cookie
        let fake = FakeSwitch(datapathID: 0x6, flows: [stale])
        try await connect(fake, to: controller, waitForResync: true)
        #expect(fake.flowMods == [Self.f1])
        #expect(fake.flowSet == [FlowEntry(Self.f1)])
    }

    @Test("setStaticFlows on a connected switch re-syncs it at once")
    func setStaticFlowsResyncs() async throws {
        let recorder = RecordingApp()
        let controller = try await startController(apps: [recorder])
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0x7)
        try await connect(fake, to: controller, waitForResync: true)
        #expect(fake.flowMods.isEmpty)

        let first = try #require(try await controller.setStaticFlows([Self.f1, Self.f2], datapathID: 0x7))
        #expect(first.added.count == 2 && first.deleted.isEmpty)
        #expect(fake.flowSet == Set([Self.f1, Self.f2].map(FlowEntry.init)))

        let f3 = forward(3, to: 1)
        let second = try #require(try await controller.setStaticFlows([Self.f2, f3], datapathID: 0x7))
        #expect(second.added.map(FlowEntry.init) == [FlowEntry(f3)])
        #expect(second.deleted.count == 1 && second.deleted[0].match == Self.f1.match)
        #expect(fake.flowSet == Set([Self.f2, f3].map(FlowEntry.init)))
        #expect(await eventually { recorder.events.value.filter { $0.hasPrefix("resynced") }.count == 3 })

        await #expect(throws: ControllerError.self) {
            var bad = Self.f1
            bad.command = .delete
            try await controller.setStaticFlows([bad], datapathID: 0x7)
        }
        // Not connected: stored for later.
        #expect(try await controller.setStaticFlows([Self.f1], datapathID: 0x99) == nil)
        #expect(controller.staticFlows(datapathID: 0x99) == [Self.f1])
    }

    @Test("A re-sync flow-mod the switch refuses is reported with its flow")
    func resyncReportsRefusals() async throws {
        let controller = try await startController()
        defer { Task { await controller.shutdown() } }
        let refused = forward(4, to: 1, priority: 666)
        try await controller.setStaticFlows([Self.f1, refused], datapathID: 0x8)
        let fake = FakeSwitch(datapathID: 0x8)
        fake.behaviour.failFlowMod = { _, flow in flow.priority == 666 ? .badMatch(.badPrereq) : nil }
        try await connect(fake, to: controller, waitForResync: true)
        let report = try #require(controller.lastResync(datapathID: 0x8))
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.flowMod == refused)
        #expect(report.failures.first?.error.code == .badMatch(.badPrereq))
        #expect(fake.flowSet == [FlowEntry(Self.f1)])
    }
}

@Suite("Flow table comparison")
struct FlowSyncTests {
    @Test("Match field order and all-ones masks do not make entries differ")
    func normalizedMatch() {
        let a = OFMatch([.ethType(0x0800), .inPort(1), OXMField(.ethDst, 0x0200_0000_0001, mask: 0xFFFF_FFFF_FFFF)])
        let b = OFMatch([.inPort(1), .ethDst(MACAddress(rawValue: 0x0200_0000_0001)), .ethType(0x0800)])
        #expect(FlowIdentity(tableID: 0, priority: 1, match: a) == FlowIdentity(tableID: 0, priority: 1, match: b))
        #expect(FlowIdentity(tableID: 0, priority: 1, match: a) != FlowIdentity(tableID: 0, priority: 2, match: b))
    }

    @Test("Instructions compare in execution order; actions keep theirs")
    func normalizedInstructions() {
        let x: OFInstructionList = [.gotoTable(1), .applyActions([.popVLAN, .output(port: 2, maxLength: 0xFFFF)])]
        let y: OFInstructionList = [.applyActions([.popVLAN, .output(port: 2, maxLength: 0)]), .gotoTable(1)]
        let z: OFInstructionList = [.applyActions([.output(port: 2, maxLength: 0), .popVLAN]), .gotoTable(1)]
        #expect(FlowSync.normalize(x) == FlowSync.normalize(y))
        #expect(FlowSync.normalize(x) != FlowSync.normalize(z))
        // Towards the controller max_len matters.
        #expect(FlowSync.normalize([.applyActions([.output(port: OFPortNumber.controller, maxLength: 128)])])
            != FlowSync.normalize([.applyActions([.output(port: OFPortNumber.controller, maxLength: 0xFFFF)])]))
    }

    @Test("Plan: deletes, adds, unmanaged cookies and duplicates")
    func plan() {
        let keep = forward(1, to: 2)
        let missing = forward(2, to: 1)
        let changedCookie = forward(3, to: 1, cookie: 0x1)
        let unexpected = forward(9, to: 1, cookie: 0x2)
        let learned = forward(8, to: 1, cookie: 0x4C45_4152_0000_0001)
        let installed = [keep, forward(3, to: 1, cookie: 0x9), unexpected, learned].map(FakeSwitch.stats)
        let plan = FlowSync.plan(installed: installed, intended: [keep, missing, forward(3, to: 7, cookie: 0x1), changedCookie],
                                 unmanaged: [LearningSwitchApp.cookieSpace])
        #expect(plan.unchanged == 1)
        #expect(plan.unmanaged == 1)
        #expect(plan.adds == [missing, changedCookie])  // the later duplicate wins
        #expect(plan.deletes.count == 1)
        #expect(plan.deletes.first?.match == unexpected.match)
        #expect(plan.deletes.first?.command == .deleteStrict)
        #expect(plan.deletes.first?.cookie == 0x2)

        let none = FlowSync.plan(installed: [keep].map(FakeSwitch.stats), intended: [keep])
        #expect(none.isEmpty)
    }
}
