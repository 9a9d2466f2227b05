import Foundation
import Testing
import TestSupport

extension Integration {
    /// A TAP port whose host side lives in a namespace follows that interface's state: the
    /// housekeeping thread reads it over a netlink socket inside the namespace once a second.
    @Suite("Link state of TAP ports in host namespaces")
    struct LinkState {
        @Test func hostInterfaceDownAndUpIsShownOnThePort() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            let sw = try lab.startSwitch(config: topo.config, switch: "s1")
            #expect(try waitForState(lab, sw, port: 1, "up"), "port 1 not up after start")

            try #require(try lab.run("ip", ["-n", topo.ns1, "link", "set", "eth0", "down"]).status == 0)
            #expect(try waitForState(lab, sw, port: 1, "no-carrier"), "port 1 still up 10 s after its host's interface went down")
            #expect(try !lab.ping(from: topo.ns2, topo.ip1, count: 1), "h2 -> h1 while h1's interface is down")

            try #require(try lab.run("ip", ["-n", topo.ns1, "link", "set", "eth0", "up"]).status == 0)
            #expect(try waitForState(lab, sw, port: 1, "up"), "port 1 not up 10 s after its host's interface came back")
            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2 after the interface came back")
        }

        func waitForState(_ lab: Lab, _ sw: Lab.SwitchProcess, port: Int, _ state: String) throws -> Bool {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if try portState(lab, sw, port: port) == state { return true }
                Thread.sleep(forTimeInterval: 0.2)
            }
            return false
        }

        /// The state word of port `port` in `sdnctl switch … show` (" 1(name): tap, up, …").
        func portState(_ lab: Lab, _ sw: Lab.SwitchProcess, port: Int) throws -> String? {
            let r = try lab.sdnctl(sw, ["show"])
            try #require(r.status == 0, "show: \(r.stderr)")
            let line = r.stdout.split(separator: "\n").first { $0.hasPrefix(" \(port)(") }
            return line?.split(separator: ",").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
}
