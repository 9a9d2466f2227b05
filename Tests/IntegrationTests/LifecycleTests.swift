import Foundation
import Testing
import TestSupport

extension Integration {
    /// Starting and stopping: a refused configuration creates nothing, a start that fails
    /// half-way undoes what it did, and SIGTERM removes what the switch created.
    @Suite("vswitchd start and stop")
    struct Lifecycle {
        @Test func topologyErrorsAreLocatedAndNothingIsCreated() throws {
            guard integrationGate(tools: ["ip", "timeout"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let tap1 = lab.name("t1"), tap2 = lab.name("t2"), host = lab.name("h1")
            let text = """
                name: \(lab.prefix)-bad
                switches:
                  s1:
                    datapath-id: 0x1
                    ports:
                      1: {name: \(tap1), type: tap, vlan: {mode: access, tag: 5000}}
                      2: {name: \(tap2), type: tap, colour: blue}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: 10.93.0.1/24, namespace: \(host)}
                """
            let config = try lab.write("bad.yaml", text)
            // Where the two mistakes are, as 1-based line:column.
            func location(of token: String) -> String {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let i = lines.firstIndex { $0.contains(token) }!
                let column = lines[i].distance(from: lines[i].startIndex, to: lines[i].range(of: token)!.lowerBound) + 1
                return "\(i + 1):\(column)"
            }

            let r = try lab.vswitchd(["run", "--config", config, "--control-socket", lab.path("s1.sock")])
            #expect(r.status != 0 && r.status != 124, "vswitchd must refuse the file (status \(r.status))")
            #expect(r.stderr.contains("\(config):\(location(of: "5000")): "), "VLAN 5000 located in stderr:\n\(r.stderr)")
            #expect(r.stderr.contains("\(config):\(location(of: "colour")): "), "unknown key located in stderr:\n\(r.stderr)")
            for line in r.stderr.split(separator: "\n") {
                #expect(line.hasPrefix("\(config):"), "every diagnostic is FILE:LINE:COL: \(line)")
            }
            #expect(!lab.linkExists(tap1), "no TAP \(tap1) may be left")
            #expect(!lab.linkExists(tap2), "no TAP \(tap2) may be left")
            #expect(!lab.namespaces().contains(host), "no namespace may be created")
            #expect(!FileManager.default.fileExists(atPath: lab.path("s1.sock")))
        }

        @Test func failingSystemPortLeavesNothingHalfStarted() throws {
            guard integrationGate(tools: ["ip", "timeout"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let tap1 = lab.name("t1"), missing = lab.name("nosuch"), host = lab.name("h1")
            let config = try lab.write("missing-interface.yaml", """
                name: \(lab.prefix)-half
                switches:
                  s1:
                    datapath-id: 0x1
                    ports:
                      1: {name: \(tap1), type: tap}
                      2: {name: uplink, type: system, interface: \(missing)}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: 10.93.0.1/24, namespace: \(host)}
                """)
            let r = try lab.vswitchd(["run", "--config", config, "--control-socket", lab.path("s1.sock")])
            #expect(r.status != 0 && r.status != 124, "vswitchd must fail (status \(r.status))")
            #expect(r.stderr.contains(missing), "stderr names the missing interface: \(r.stderr)")
            #expect(!r.stdout.contains("running"), "it must never report running: \(r.stdout)")
            #expect(!lab.linkExists(tap1), "the first port's TAP \(tap1) must not remain")
            #expect(!lab.namespaces().contains(host), "no host namespace may remain")
        }

        @Test func unusableControlSocketUndoesHostsAndTaps() throws {
            guard integrationGate(tools: ["ip", "timeout"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            // The socket's directory does not exist (vswitchd creates only the last level), so
            // binding fails after the TAPs were made and the hosts attached.
            let socket = lab.path("no/such/dir/s1.sock")
            let r = try lab.vswitchd(["run", "--config", topo.config, "--control-socket", socket])
            #expect(r.status != 0 && r.status != 124, "vswitchd must fail (status \(r.status)): \(r.stdout)")
            #expect(r.stderr.contains(socket), "stderr names the socket: \(r.stderr)")
            #expect(!lab.linkExists(topo.tap1) && !lab.linkExists(topo.tap2), "no TAP may remain")
            #expect(lab.namespaces().isEmpty, "the namespaces it created must be gone: \(lab.namespaces())")
        }

        @Test func sigtermRemovesTapsAndTheNamespacesItCreated() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            // h1's namespace is made by vswitchd; h2's exists beforehand (and must survive);
            // port 3 is a TAP with no host, so it stays in the root namespace.
            let ns1 = lab.name("h1"), ns2 = lab.name("h2")
            let tap1 = lab.name("t1"), tap2 = lab.name("t2"), tap3 = lab.name("t3")
            let made = try lab.run("ip", ["netns", "add", ns2])
            try #require(made.status == 0, "ip netns add: \(made.stderr)")
            let config = try lab.write("stop.yaml", """
                name: \(lab.prefix)-stop
                switches:
                  s1:
                    datapath-id: 0x1
                    fail-mode: standalone
                    ports:
                      1: {name: \(tap1), type: tap}
                      2: {name: \(tap2), type: tap}
                      3: {name: \(tap3), type: tap}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: 10.94.0.1/24, mac: "02:00:00:00:94:01", namespace: \(ns1)}
                  h2: {switch: s1, port: 2, ip: 10.94.0.2/24, mac: "02:00:00:00:94:02", namespace: \(ns2), interface: net0}
                """)
            // Run without --switch: the file holds one switch.
            let sw = try lab.startSwitch(config: config, switch: "s1", selectByName: false)

            // While running: the hosts' TAPs sit renamed in their namespaces, the third in ours.
            #expect(Set(lab.namespaces()) == [ns1, ns2])
            #expect(lab.linkExists("eth0", in: ns1), "h1's TAP is eth0 in \(ns1)")
            #expect(lab.linkExists("net0", in: ns2), "h2's TAP is net0 in \(ns2)")
            #expect(lab.linkExists(tap3), "the host-less TAP is in the root namespace")
            #expect(!lab.linkExists(tap1) && !lab.linkExists(tap2), "host TAPs left the root namespace")
            #expect(FileManager.default.fileExists(atPath: sw.controlSocket))
            #expect(try lab.ping(from: ns1, "10.94.0.2"), "the switch forwards")

            let (status, killed) = sw.background.stop(grace: 5)
            #expect(!killed, "vswitchd must stop on SIGTERM without SIGKILL")
            #expect(status == 0, "vswitchd exit status after SIGTERM: \(status); stderr: \(sw.background.stderr)")
            #expect(sw.background.stdout.contains("vswitchd: switch s1 stopped"), "stdout: \(sw.background.stdout)")

            #expect(Lab.poll(seconds: 3) { !lab.linkExists(tap3) }, "TAP \(tap3) must be gone")
            #expect(!lab.linkExists(tap1) && !lab.linkExists(tap2))
            #expect(Lab.poll(seconds: 3) { !lab.namespaces().contains(ns1) }, "the namespace vswitchd created must be gone")
            #expect(lab.namespaces() == [ns2], "the namespace that existed before must stay")
            #expect(!lab.linkExists("net0", in: ns2), "h2's TAP must be gone from the surviving namespace")
            #expect(!FileManager.default.fileExists(atPath: sw.controlSocket), "control socket removed")
            #expect(lab.links().isEmpty, "no lab link left: \(lab.links())")
        }
    }
}
