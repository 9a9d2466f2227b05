import Foundation
import Testing
import TestSupport

extension Integration {
    /// The datapath runs in its own named thread at the configured niceness (default -10, as
    /// Open vSwitch's ovs-ctl starts ovs-vswitchd), so a host's receiver woken by each frame
    /// does not preempt it; the housekeeping thread keeps the default.
    @Suite("Datapath thread")
    struct DatapathThread {
        @Test func runsNamedAtNicenessMinus10ByDefault() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            let sw = try lab.startSwitch(config: topo.config, switch: "s1")
            let threads = try Self.threads(of: sw.pid)
            #expect(threads["sdn-datapath"] == -10, "threads: \(threads)")
            #expect(threads["sdn-housekeep"] == 0, "threads: \(threads)")
            #expect(!sw.background.stdout.contains("warning"), "\(sw.background.stdout)")
            #expect(try lab.ping(from: topo.ns1, topo.ip2))
        }

        @Test func datapathNiceIsConfigurableWithinItsRange() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            let refused = try lab.vswitchd(["run", "--config", topo.config, "--switch", "s1", "--datapath-nice", "-30"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("--datapath-nice must be within -20…19"), "\(refused.stderr)")

            let sw = try lab.startSwitch(config: topo.config, switch: "s1", extraArguments: ["--datapath-nice", "5"])
            let threads = try Self.threads(of: sw.pid)
            #expect(threads["sdn-datapath"] == 5, "threads: \(threads)")
            #expect(threads["sdn-housekeep"] == 0, "threads: \(threads)")
            #expect(try lab.ping(from: topo.ns1, topo.ip2))
        }

        /// Thread name → niceness, from /proc/PID/task/TID/stat (field 19; the name is field 2,
        /// in parentheses, and may itself hold spaces or parentheses).
        static func threads(of pid: Int32) throws -> [String: Int] {
            var result: [String: Int] = [:]
            for tid in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
                let stat = try String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8)
                guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
                let name = String(stat[stat.index(after: open)..<close])
                // After the name: state (3), ppid (4) … nice is field 19, the 17th after it.
                let after = stat[stat.index(after: close)...].split(separator: " ")
                if after.count > 16, let nice = Int(after[16]) { result[name] = nice }
            }
            return result
        }
    }
}
