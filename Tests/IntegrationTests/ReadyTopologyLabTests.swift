import Foundation
import Testing
import TestSupport

extension Integration {
    /// The ready files in `topologies/` brought up with `sdnctl lab up`, under the controller
    /// it starts (127.0.0.1:6653, API 127.0.0.1:6680), checked with ping, and taken down.
    /// Their kernel names are the files' own (`sdn-`, `sdnv-`, `sdnls-` prefixes).
    @Suite("Ready topologies under sdnctl lab")
    struct ReadyTopologyLabTests {
        struct Running {
            let lab: Lab
            let file: String
            let stateDir: String

            func sdnctl(_ arguments: [String], timeout: Int = 60) throws -> ShellResult {
                try lab.run(try Lab.executable("sdnctl"), arguments, timeout: timeout)
            }

            /// One echo from `host` to `address`, through `sdnctl lab exec`.
            func pings(_ host: String, _ address: String) throws -> Bool {
                try sdnctl(["lab", "exec", host, "--state-dir", stateDir, "--", "ping", "-n", "-c", "1", "-W", "2", address], timeout: 15).status == 0
            }

            func down() { _ = try? sdnctl(["lab", "down", file, "--state-dir", stateDir]) }
        }

        static func up(_ name: String, _ lab: Lab) throws -> Running {
            let file = Fixtures.repositoryRoot.appendingPathComponent("topologies/\(name).yaml").path
            let running = Running(lab: lab, file: file, stateDir: lab.path("state"))
            let r = try running.sdnctl(["lab", "up", file, "--state-dir", running.stateDir])
            guard r.status == 0 else {
                running.down()
                throw LabError("sdnctl lab up \(name): \(r)")
            }
            #expect(r.stdout.contains("[5/5] apply topology … ok"), "\(r.stdout)")
            return running
        }

        @Test func twoHosts() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let running = try Self.up("two-hosts", lab)
            defer { running.down() }
            #expect(try running.pings("h1", "10.0.0.2"))
            let flows = try running.sdnctl(["flows", "dump", "s1"])
            #expect(flows.status == 0 && flows.stdout.contains("actions=NORMAL"), "\(flows)")
        }

        @Test func vlansStayApartAcrossTheTrunk() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let running = try Self.up("vlans", lab)
            defer { running.down() }
            #expect(try running.pings("h1", "10.0.0.2"), "VLAN 10 across the trunk")
            #expect(try running.pings("h3", "10.0.0.4"), "VLAN 20 across the trunk")
            #expect(try !running.pings("h1", "10.0.0.3"), "VLAN 10 does not reach VLAN 20")
            #expect(try !running.pings("h2", "10.0.0.4"), "VLAN 10 does not reach VLAN 20 on the other switch")
        }

        /// Forwarding computed by the controller over a meshed fabric: every host reaches every
        /// other one, and no broadcast storm builds up (the echo replies come back and the
        /// switches' flood counters stay small).
        @Test func leafSpineEveryHostReachesEveryOther() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let started = Date()
            let running = try Self.up("leaf-spine", lab)
            defer { running.down() }
            var failed: [String] = []
            for i in 1...8 {
                for j in 1...8 where i != j {
                    if try !running.pings("h\(i)", "10.1.0.\(j)") { failed.append("h\(i)->h\(j)") }
                }
            }
            #expect(failed.isEmpty, "pairs that did not ping: \(failed)")
            print("leaf-spine: lab up and all 56 pairs pinged in \(String(format: "%.2f", Date().timeIntervalSince(started))) s (debug build)")
            let show = try running.sdnctl(["topology", "show", "--json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let switches = try #require(json["switches"] as? [[String: Any]])
            #expect(switches.count == 6 && switches.allSatisfy { ($0["computed"] as? Bool) == true && ($0["connected"] as? Bool) == true })
            // A storm would push the spines' counters far beyond the few hundred frames sent.
            for spine in ["sp1", "sp2"] {
                let dump = try running.sdnctl(["flows", "dump", spine, "--json"])
                let flows = try #require((try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])?["flows"] as? [[String: Any]])
                let packets = flows.compactMap { ($0["packets"] as? NSNumber)?.intValue }.reduce(0, +)
                #expect(packets < 5000, "\(spine) forwarded \(packets) packets for 56 pings")
            }
            // Re-applying the same file changes nothing.
            let again = try running.sdnctl(["topology", "apply", running.file, "--json"])
            let result = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
            #expect(result["flowModsSent"] as? Int == 0, "\(again.stdout)")
        }
    }
}
