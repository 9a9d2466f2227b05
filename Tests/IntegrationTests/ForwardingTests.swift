import Foundation
import Testing
import TestSupport

extension Integration {
    /// Two hosts in namespaces on TAP ports of one switch: ping and a 5-second iperf3 TCP run
    /// cross it, first as a learning switch (NORMAL), then on explicit in_port→output flows.
    @Suite("Forwarding between two hosts")
    struct Forwarding {
        @Test func normalModeCarriesPingAndTCP() throws {
            guard integrationGate(tools: namespaceTools + ["iperf3"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            _ = try lab.startSwitch(config: topo.config, switch: "s1")

            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2 ping through NORMAL")
            #expect(try lab.ping(from: topo.ns2, topo.ip1), "h2 -> h1 ping through NORMAL")

            let run = try lab.iperf3(from: topo.ns1, to: topo.ns2, serverAddress: topo.ip2, seconds: 5)
            print("iperf3 NORMAL (h1 -> h2, 5 s TCP): \(String(format: "%.2f", run.gbps)) Gbit/s, \(run.receivedBytes) bytes received, \(run.retransmits) retransmits")
            #expect(run.receivedBytes > 0)
        }

        @Test func explicitFlowsCarryTrafficCountItAndDeletingThemStopsIt() throws {
            guard integrationGate(tools: namespaceTools + ["iperf3"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab, failMode: "secure", flows: [
                "priority=10,in_port=1,actions=output:2",
                "priority=10,in_port=2,actions=output:1",
            ])
            let sw = try lab.startSwitch(config: topo.config, switch: "s1")

            func counts() throws -> (forward: Int, back: Int) {
                let r = try lab.sdnctl(sw, ["dump-flows"])
                try #require(r.status == 0, "dump-flows: \(r.stderr)")
                let flows = DumpedFlow.parse(r.stdout)
                let forward = flows.first { $0.line.contains("in_port=1") && $0.line.contains("actions=output:2") }
                let back = flows.first { $0.line.contains("in_port=2") && $0.line.contains("actions=output:1") }
                let f = try #require(forward, "no in_port=1 -> output:2 flow in:\n\(r.stdout)")
                let b = try #require(back, "no in_port=2 -> output:1 flow in:\n\(r.stdout)")
                return (f.packets, b.packets)
            }

            let before = try counts()
            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2 ping over the explicit flows")
            let afterPing = try counts()
            #expect(afterPing.forward >= before.forward + 3, "in_port=1 flow counted the echo requests")
            #expect(afterPing.back >= before.back + 3, "in_port=2 flow counted the echo replies")

            let run = try lab.iperf3(from: topo.ns1, to: topo.ns2, serverAddress: topo.ip2, seconds: 5)
            print("iperf3 explicit flows (h1 -> h2, 5 s TCP): \(String(format: "%.2f", run.gbps)) Gbit/s, \(run.receivedBytes) bytes received, \(run.retransmits) retransmits")
            #expect(run.receivedBytes > 0)
            let afterTCP = try counts()
            #expect(afterTCP.forward > afterPing.forward)
            #expect(afterTCP.back > afterPing.back)

            // Without flows a secure switch drops every table miss.
            let deleted = try lab.sdnctl(sw, ["del-flows"])
            #expect(deleted.status == 0, "del-flows: \(deleted.stderr)")
            #expect(deleted.stdout.contains("deleted 2 flow(s)"), "del-flows said: \(deleted.stdout)")
            let dump = try lab.sdnctl(sw, ["dump-flows"])
            #expect(dump.status == 0 && DumpedFlow.parse(dump.stdout).isEmpty, "flows left: \(dump.stdout)")
            #expect(try !lab.ping(from: topo.ns1, topo.ip2, count: 2, wait: 1), "ping must fail with the flows deleted")
        }
    }
}
