@testable import Controller
import Foundation
import OpenFlow
import Testing
import TestSupport

/// A single-switch topology with `count` static flows; `edit` changes some of them.
func bigTopology(count: Int, changedActions: Set<Int> = [], removed: Set<Int> = [], added: Int = 0) -> String {
    var lines = ["name: big", "switches:", "  s1:", "    datapath-id: 0x51", "    fail-mode: secure", "    ports:",
                 "      1: {name: p1, type: tap}", "      2: {name: p2, type: tap}", "      3: {name: p3, type: tap}", "    flows:"]
    for i in 0..<count where !removed.contains(i) {
        let out = changedActions.contains(i) ? 3 : 2
        lines.append("      - \"priority=100,ip,nw_dst=10.\(i / 256).\(i % 256).0/24,actions=output:\(out)\"")
    }
    for i in 0..<added { lines.append("      - \"priority=200,ip,nw_src=172.16.\(i).0/24,actions=drop\"") }
    return lines.joined(separator: "\n") + "\n"
}

@Suite struct TopologyApplyTests {
    /// Flow-mods the fake switch has received since it was last cleared.
    static func flowModCount(_ fake: FakeSwitch) -> Int { fake.flowMods.count }

    @Test func reapplyingSendsOnlyTheChangedFlows() async throws {
        let controller = try await startController(apps: [LearningSwitchApp(), LLDPDiscoveryApp()])
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0x51, ports: [1, 2, 3])
        defer { fake.close() }
        try await connect(fake, to: controller, waitForResync: true)

        let v1 = try TopologyCompiler.compile(yaml: bigTopology(count: 1000), file: "big.yaml")
        fake.clearReceived()
        let first = try await controller.applyTopology(v1)
        #expect(first.failures == 0)
        // 1000 adds, and the learning app's table-miss flow removed (it yields to the topology).
        #expect(first.flowModsSent == 1001 && Self.flowModCount(fake) == 1001)
        #expect(fake.flows.filter { $0.cookie == 0 }.count == 1000)

        fake.clearReceived()
        let again = try await controller.applyTopology(v1)
        #expect(again.flowModsSent == 0 && Self.flowModCount(fake) == 0, "the same topology again sends nothing")

        // 5 flows with new actions, 3 removed, 2 new: 10 changed flows.
        let v2 = try TopologyCompiler.compile(yaml: bigTopology(count: 1000, changedActions: [1, 50, 500, 998, 999],
                                                                removed: [7, 8, 9], added: 2), file: "big.yaml")
        let diff = try await controller.diffTopology(v2)
        #expect(diff.reduce(0) { $0 + $1.adds.count + $1.deletes.count } == 10)
        #expect(Self.flowModCount(fake) == 0, "diff sends nothing")
        let edited = try await controller.applyTopology(v2)
        #expect(edited.flowModsSent == 10 && Self.flowModCount(fake) == 10)
        let report = try #require(edited.switches.first?.resync)
        #expect(report.added.count == 7 && report.deleted.count == 3)
        #expect(fake.flows.filter { $0.cookie == 0 }.count == 999)
    }

    @Test func aRestartedControllerRestoresTheTopologyAndResyncsOnConnect() async throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "swiftsdn-restore")
        let path = dir.appendingPathComponent("state.db").path
        let yaml = bigTopology(count: 20)
        do {
            let controller = Controller(configuration: .init(host: "127.0.0.1", port: 0), store: try StateStore(path: path), log: .silent)
            try await controller.start()
            _ = try await controller.applyTopology(try TopologyCompiler.compile(yaml: yaml, file: "big.yaml"))
            _ = try await controller.addFlows(["priority=300,in_port=p1,actions=output:p3"], datapathID: 0x51)
            await controller.shutdown()
        }
        let restarted = Controller(configuration: .init(host: "127.0.0.1", port: 0), store: try StateStore(path: path), log: .silent)
        try await restarted.start()
        defer { Task { await restarted.shutdown() } }
        #expect(restarted.appliedTopology?.topology.name == "big")
        #expect(restarted.appliedTopology?.yaml == yaml)
        #expect(restarted.apiFlows(datapathID: 0x51).map(\.text) == ["priority=300,in_port=1 actions=output:3"])
        let fake = FakeSwitch(datapathID: 0x51, ports: [1, 2, 3])
        defer { fake.close() }
        try await connect(fake, to: restarted, waitForResync: true)
        #expect(fake.flows.count == 21, "20 topology flows and the API's one, installed on connect: \(fake.flows.count)")
    }
}
