import Foundation
import Testing
import TestSupport

extension Integration {
    /// `sdnctl switch NAME --socket PATH …` against a running vswitchd.
    @Suite("sdnctl over the control socket")
    struct ControlSocket {
        @Test func showFdbTraceAndBadFlowsOnARunningSwitch() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            let sw = try lab.startSwitch(config: topo.config, switch: "s1")

            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2")

            // show: both ports, by number and name, with counters that saw the ping.
            let show = try lab.sdnctl(sw, ["show"])
            #expect(show.status == 0, "show: \(show.stderr)")
            #expect(show.stdout.contains("switch s1"), "show: \(show.stdout)")
            let ports = ShownPort.parse(show.stdout)
            #expect(ports.map(\.number) == ["1", "2"], "show lists ports 1 and 2:\n\(show.stdout)")
            #expect(ports.map(\.name) == [topo.tap1, topo.tap2], "show names the ports:\n\(show.stdout)")
            for port in ports {
                #expect(port.rxPackets >= 3 && port.txPackets >= 3, "port \(port.header) counted the ping:\n\(show.stdout)")
            }

            // fdb: both hosts' MACs, learned on their ports.
            let fdb = try lab.sdnctl(sw, ["fdb"])
            #expect(fdb.status == 0, "fdb: \(fdb.stderr)")
            let entries = FDBEntry.parse(fdb.stdout)
            #expect(entries.contains { $0.mac == topo.mac1 && $0.port == "1" }, "fdb lacks h1 on port 1:\n\(fdb.stdout)")
            #expect(entries.contains { $0.mac == topo.mac2 && $0.port == "2" }, "fdb lacks h2 on port 2:\n\(fdb.stdout)")

            // trace: ofproto/trace style output ending in the datapath actions.
            let trace = try lab.sdnctl(sw, ["trace", "in_port=1,dl_src=\(topo.mac1),dl_dst=\(topo.mac2)"])
            #expect(trace.status == 0, "trace: \(trace.stderr)")
            #expect(trace.stdout.contains("Datapath actions:"), "trace: \(trace.stdout)")

            // A bad flow is refused with a non-zero exit and a message naming the bad token;
            // the flow table is unchanged.
            for (flow, token) in [("priority=5,in_port=1,actions=output:bogusport", "bogusport"),
                                  ("priority=5,frobnicate=1,actions=drop", "frobnicate")] {
                let r = try lab.sdnctl(sw, ["add-flow", flow])
                #expect(r.status != 0, "add-flow \(flow) must fail")
                #expect(r.stderr.contains(token), "add-flow \(flow): stderr must name '\(token)': \(r.stderr)")
            }
            let dump = try lab.sdnctl(sw, ["dump-flows"])
            #expect(DumpedFlow.parse(dump.stdout).count == 1, "only the NORMAL flow remains:\n\(dump.stdout)")

            // A good flow goes in and shows up.
            let good = try lab.sdnctl(sw, ["add-flow", "priority=100,in_port=2,dl_dst=\(topo.mac1),actions=output:1"])
            #expect(good.status == 0, "add-flow: \(good.stderr)")
            let after = try lab.sdnctl(sw, ["dump-flows"])
            #expect(after.stdout.contains("priority=100"), "new flow listed:\n\(after.stdout)")

            // An unknown command and a socket nobody listens on both fail.
            #expect(try lab.sdnctl(sw, ["frobnicate"]).status != 0)
            let unreachable = try lab.sdnctl("s1", socket: lab.path("nobody.sock"), ["show"])
            #expect(unreachable.status != 0, "sdnctl to a missing socket must fail")
            #expect(!unreachable.stderr.isEmpty)
        }
    }
}
