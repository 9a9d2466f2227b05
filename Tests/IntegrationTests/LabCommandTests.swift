import Foundation
import Testing
import TestSupport

extension Integration {
    /// `sdnctl lab up|down|exec` end to end: real namespaces, TAPs, veths and vswitchd
    /// processes, every kernel name carrying the test lab's prefix and every state file kept in
    /// the test's own directory (`--state-dir`), never in /run/swiftsdn/lab.
    @Suite("sdnctl lab")
    struct LabCommandTests {
        /// One lab topology written into a test lab's directory.
        struct LabTopology {
            let lab: Lab
            let name: String
            let file: String
            let stateDir: String
            let namespaces: [String]
            let ips: [String]
            var stateFile: String { "\(stateDir)/\(name).json" }

            func sdnctl(_ arguments: [String], timeout: Int = 60) throws -> ShellResult {
                try lab.run(try Lab.executable("sdnctl"), ["lab"] + arguments, timeout: timeout)
            }
            func up() throws -> ShellResult { try sdnctl(["up", file, "--state-dir", stateDir]) }
            @discardableResult
            func down() throws -> ShellResult { try sdnctl(["down", file, "--state-dir", stateDir]) }

            /// The PIDs and start times the state file names.
            func recordedProcesses() throws -> [(pid: Int32, role: String)] {
                let data = try Data(contentsOf: URL(fileURLWithPath: stateFile))
                let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                let processes = try #require(json["processes"] as? [[String: Any]], "state file lists processes")
                return processes.compactMap { p in
                    guard let pid = (p["pid"] as? NSNumber)?.int32Value, let role = p["role"] as? String else { return nil }
                    return (pid, role)
                }
            }
        }

        /// A dead process may linger as a zombie until its new parent reaps it; it runs nothing.
        static func processRuns(_ pid: Int32) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
        }

        /// Two hosts on TAP ports of one standalone switch (NORMAL).
        static func twoHosts(_ lab: Lab) throws -> LabTopology {
            let name = "\(lab.prefix)-lab1"
            let namespaces = [lab.name("h1"), lab.name("h2")]
            let file = try lab.write("lab1.yaml", """
                name: \(name)
                switches:
                  s1:
                    datapath-id: 0x1
                    fail-mode: standalone
                    control-socket: \(lab.path("s1.sock"))
                    listen: ptcp:0:127.0.0.1
                    ports:
                      1: {name: \(lab.name("t1")), type: tap}
                      2: {name: \(lab.name("t2")), type: tap}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: 10.93.0.1/24, mac: "02:00:00:00:93:01", namespace: \(namespaces[0])}
                  h2: {switch: s1, port: 2, ip: 10.93.0.2/24, mac: "02:00:00:00:93:02", namespace: \(namespaces[1])}
                """)
            return LabTopology(lab: lab, name: name, file: file, stateDir: lab.path("state"),
                               namespaces: namespaces, ips: ["10.93.0.1", "10.93.0.2"])
        }

        /// Two switches joined by a veth pair (`links:`), one host on each.
        static func twoSwitches(_ lab: Lab) throws -> LabTopology {
            let name = "\(lab.prefix)-lab2"
            let namespaces = [lab.name("h1"), lab.name("h2")]
            let file = try lab.write("lab2.yaml", """
                name: \(name)
                switches:
                  s1:
                    datapath-id: 0x1
                    fail-mode: standalone
                    control-socket: \(lab.path("s1.sock"))
                    listen: ptcp:0:127.0.0.1
                    ports:
                      1: {name: \(lab.name("t1")), type: tap}
                      2: {name: up, type: system, interface: \(lab.name("va"))}
                    flows:
                      - "priority=0,actions=normal"
                  s2:
                    datapath-id: 0x2
                    fail-mode: standalone
                    control-socket: \(lab.path("s2.sock"))
                    listen: ptcp:0:127.0.0.1
                    ports:
                      1: {name: \(lab.name("t2")), type: tap}
                      2: {name: up, type: system, interface: \(lab.name("vb"))}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: 10.94.0.1/24, mac: "02:00:00:00:94:01", namespace: \(namespaces[0])}
                  h2: {switch: s2, port: 1, ip: 10.94.0.2/24, mac: "02:00:00:00:94:02", namespace: \(namespaces[1])}
                links:
                  - {a: s1:2, b: s2:2}
                """)
            return LabTopology(lab: lab, name: name, file: file, stateDir: lab.path("state"),
                               namespaces: namespaces, ips: ["10.94.0.1", "10.94.0.2"])
        }

        @Test func upExecPingDownLeavesNothing() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try Self.twoHosts(lab)
            defer { _ = try? topo.down() }

            let up = try topo.up()
            try #require(up.status == 0, "lab up failed:\n\(up.stdout)\n\(up.stderr)")
            for step in 1...5 {
                #expect(up.stdout.contains("[\(step)/5]"), "step \(step) printed:\n\(up.stdout)")
            }
            #expect(up.stdout.contains("skipped (no controller)"), "\(up.stdout)")
            #expect(up.stdout.contains("sdnctl lab exec h1 --state-dir \(topo.stateDir) -- ping"), "the summary shows how to ping:\n\(up.stdout)")
            #expect(FileManager.default.fileExists(atPath: topo.stateFile))
            #expect(Set(lab.namespaces()) == Set(topo.namespaces), "namespaces after up: \(lab.namespaces())")
            let processes = try topo.recordedProcesses()
            #expect(processes.count == 1 && processes.allSatisfy { Self.processRuns($0.pid) }, "\(processes)")

            let ping = try topo.sdnctl(["exec", "h1", "--state-dir", topo.stateDir, "--", "ping", "-c", "3", "-W", "2", topo.ips[1]])
            #expect(ping.status == 0, "ping h1 -> h2 through lab exec:\n\(ping.stdout)\n\(ping.stderr)")
            #expect(ping.stdout.contains("3 received"), "\(ping.stdout)")
            // The command's own exit status comes back: a ping to nobody fails.
            let lost = try topo.sdnctl(["exec", "h2", "--state-dir", topo.stateDir, "--", "ping", "-c", "1", "-W", "1", "10.93.0.99"])
            #expect(lost.status == 1, "ping to an absent address exits 1: \(lost.stdout) \(lost.stderr)")

            let down = try topo.down()
            #expect(down.status == 0, "lab down failed:\n\(down.stdout)\n\(down.stderr)")
            #expect(lab.namespaces().isEmpty, "namespaces left: \(lab.namespaces())")
            #expect(lab.links().isEmpty, "links left: \(lab.links())")
            #expect(Lab.poll(seconds: 2) { !processes.contains { Self.processRuns($0.pid) } }, "processes left: \(processes)")
            #expect(!FileManager.default.fileExists(atPath: topo.stateFile), "state file left")

            // Idempotent: a second down finds no state file and nothing to remove.
            let again = try topo.down()
            #expect(again.status == 0 && again.stdout.contains("no state file"), "\(again.stdout)\n\(again.stderr)")
        }

        @Test func pingCrossesALinkBetweenTwoSwitches() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try Self.twoSwitches(lab)
            defer { _ = try? topo.down() }

            let up = try topo.up()
            try #require(up.status == 0, "lab up failed:\n\(up.stdout)\n\(up.stderr)")
            #expect(up.stdout.contains("\(lab.name("va"))<->\(lab.name("vb"))"), "the veth step names the pair:\n\(up.stdout)")
            #expect(lab.linkExists(lab.name("va")) && lab.linkExists(lab.name("vb")))
            #expect(try topo.recordedProcesses().count == 2)

            let ping = try topo.sdnctl(["exec", "h1", "--name", topo.name, "--state-dir", topo.stateDir, "--",
                                        "ping", "-c", "3", "-W", "2", topo.ips[1]])
            #expect(ping.status == 0, "ping h1 -> h2 across s1 - link - s2:\n\(ping.stdout)\n\(ping.stderr)")

            let down = try topo.down()
            #expect(down.status == 0, "\(down.stdout)\n\(down.stderr)")
            #expect(lab.links().isEmpty, "links left: \(lab.links())")
            #expect(lab.namespaces().isEmpty, "namespaces left: \(lab.namespaces())")
        }

        /// A container-style host on a veth pair (switch side a `system` port) next to a VM-style
        /// host on a TAP: the lab makes the pair and the namespace, configures the host end, and
        /// removes both again.
        @Test func aHostOnASystemPortGetsAVethPair() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let name = "\(lab.prefix)-lab3"
            let namespaces = [lab.name("h1"), lab.name("h2")]
            let file = try lab.write("lab3.yaml", """
                name: \(name)
                switches:
                  s1:
                    datapath-id: 0x1
                    fail-mode: standalone
                    control-socket: \(lab.path("s1.sock"))
                    listen: ptcp:0:127.0.0.1
                    ports:
                      1: {name: \(lab.name("t1")), type: tap}
                      2: {name: ctr, type: system, interface: \(lab.name("c2"))}
                    flows:
                      - "priority=0,actions=normal"
                hosts:
                  h1: {switch: s1, port: 1, ip: 10.95.0.1/24, mac: "02:00:00:00:95:01", namespace: \(namespaces[0])}
                  h2: {switch: s1, port: 2, ip: 10.95.0.2/24, mac: "02:00:00:00:95:02", mtu: 1400, namespace: \(namespaces[1])}
                """)
            let topo = LabTopology(lab: lab, name: name, file: file, stateDir: lab.path("state"),
                                   namespaces: namespaces, ips: ["10.95.0.1", "10.95.0.2"])
            defer { _ = try? topo.down() }

            let up = try topo.up()
            try #require(up.status == 0, "lab up failed:\n\(up.stdout)\n\(up.stderr)")
            #expect(up.stdout.contains("\(lab.name("c2"))<->\(namespaces[1]):eth0"), "\(up.stdout)")
            let inside = try lab.exec(namespaces[1], "ip", ["-o", "link", "show", "eth0"])
            #expect(inside.stdout.contains("mtu 1400") && inside.stdout.contains("02:00:00:00:95:02"), "\(inside.stdout)")
            let ping = try topo.sdnctl(["exec", "h2", "--state-dir", topo.stateDir, "--", "ping", "-c", "3", "-W", "2", topo.ips[0]])
            #expect(ping.status == 0, "ping h2 (veth) -> h1 (TAP):\n\(ping.stdout)\n\(ping.stderr)")

            let down = try topo.down()
            #expect(down.status == 0, "\(down.stdout)\n\(down.stderr)")
            #expect(lab.links().isEmpty, "links left: \(lab.links())")
            #expect(lab.namespaces().isEmpty, "namespaces left: \(lab.namespaces())")
        }

        @Test func downAfterSwitchesWereKilledRemovesTheRemains() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try Self.twoSwitches(lab)
            defer { _ = try? topo.down() }

            let up = try topo.up()
            try #require(up.status == 0, "lab up failed:\n\(up.stdout)\n\(up.stderr)")
            let processes = try topo.recordedProcesses()
            try #require(processes.count == 2 && processes.allSatisfy { $0.role == "vswitchd" }, "\(processes)")
            for p in processes { kill(p.pid, SIGKILL) }
            #expect(Lab.poll(seconds: 5) { !processes.contains { Self.processRuns($0.pid) } }, "SIGKILL took")
            // A killed switch cannot clean up: its namespaces and the link's veths stay behind.
            #expect(!lab.namespaces().isEmpty && !lab.links().isEmpty,
                    "remains expected after SIGKILL: \(lab.namespaces()) \(lab.links())")

            let down = try topo.down()
            #expect(down.status == 0, "\(down.stdout)\n\(down.stderr)")
            #expect(down.stdout.contains("removed namespace \(topo.namespaces[0])"), "\(down.stdout)")
            #expect(lab.namespaces().isEmpty, "namespaces left: \(lab.namespaces())")
            #expect(lab.links().isEmpty, "links left: \(lab.links())")
            #expect(!FileManager.default.fileExists(atPath: topo.stateFile))
        }

        @Test func aSwitchThatDiesWhileStartingRollsEverythingBack() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let base = try Self.twoSwitches(lab)
            // s2 gets a system port on an interface that does not exist: its vswitchd exits.
            let text = try String(contentsOfFile: base.file, encoding: .utf8).replacingOccurrences(
                of: "      2: {name: up, type: system, interface: \(lab.name("vb"))}",
                with: "      2: {name: up, type: system, interface: \(lab.name("vb"))}\n      3: {name: ghost, type: system, interface: \(lab.name("zz"))}")
            try #require(text.contains("ghost"))
            try text.write(toFile: base.file, atomically: true, encoding: .utf8)
            defer { _ = try? base.down() }

            let up = try base.up()
            #expect(up.status == 1, "\(up.stdout)\n\(up.stderr)")
            #expect(up.stdout.contains("[4/5] start switches … failed"), "\(up.stdout)")
            #expect(up.stderr.hasPrefix("sdnctl: vswitchd s2 "), "the error names the switch: \(up.stderr)")
            #expect(up.stderr.contains(lab.name("zz")), "and quotes its log: \(up.stderr)")
            #expect(up.stdout.contains("rolling back"), "\(up.stdout)")
            #expect(lab.namespaces().isEmpty, "namespaces left: \(lab.namespaces())")
            #expect(lab.links().isEmpty, "links left: \(lab.links())")
            #expect(!FileManager.default.fileExists(atPath: base.stateFile), "state file left after rollback")
        }

        @Test func badTopologyIsRefusedWithItsLocationAndCreatesNothing() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let file = try lab.write("bad.yaml", """
                name: \(lab.prefix)-bad
                switches:
                  s1:
                    datapath-id: 0x1
                    ports:
                      1: {name: \(lab.name("t1")), type: tap}
                hosts:
                  h1: {switch: s9, port: 1, ip: 10.95.0.1/24, namespace: \(lab.name("h1"))}
                """)
            let stateDir = lab.path("state")
            let up = try lab.run(try Lab.executable("sdnctl"), ["lab", "up", file, "--state-dir", stateDir], timeout: 30)
            #expect(up.status == 1, "\(up.stdout)\n\(up.stderr)")
            #expect(up.stderr.contains("\(file):8:"), "stderr names FILE:LINE:COL of the bad host: \(up.stderr)")
            #expect(!up.stderr.contains("Fatal error") && !up.stderr.contains("Stack"), "\(up.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(stateDir)/\(lab.prefix)-bad.json"))
            #expect(lab.namespaces().isEmpty && lab.links().isEmpty)
        }

        @Test func secondUpIsRefusedWhileTheLabRuns() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try Self.twoHosts(lab)
            defer { _ = try? topo.down() }

            let first = try topo.up()
            try #require(first.status == 0, "lab up failed:\n\(first.stdout)\n\(first.stderr)")
            let before = try topo.recordedProcesses().map(\.pid)
            let second = try topo.up()
            #expect(second.status == 1, "\(second.stdout)\n\(second.stderr)")
            let lines = second.stderr.split(separator: "\n")
            #expect(lines.count == 1 && second.stderr.contains("already up"), "one line saying it is up: \(second.stderr)")
            // The refusal touched nothing of the running lab.
            #expect(try topo.recordedProcesses().map(\.pid) == before)
            #expect(before.allSatisfy(Self.processRuns))
            let ping = try topo.sdnctl(["exec", "h2", "--state-dir", topo.stateDir, "--", "ping", "-c", "1", "-W", "2", topo.ips[0]])
            #expect(ping.status == 0, "the first lab still forwards: \(ping.stdout) \(ping.stderr)")
        }

        @Test func execOfAnUnknownHostNamesTheKnownOnes() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try Self.twoHosts(lab)
            defer { _ = try? topo.down() }
            let up = try topo.up()
            try #require(up.status == 0, "lab up failed:\n\(up.stdout)\n\(up.stderr)")

            let r = try topo.sdnctl(["exec", "h7", "--state-dir", topo.stateDir, "--", "true"])
            #expect(r.status == 1)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("sdnctl: ") && lines[0].contains("h7"), "\(r.stderr)")
            #expect(r.stderr.contains("h1 (\(topo.name))") && r.stderr.contains("h2 (\(topo.name))"), "names the known hosts: \(r.stderr)")
        }
    }
}
