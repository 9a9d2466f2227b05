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
            try Self.expectRefused(lab, topo, ["--datapath-nice", "-30"], "--datapath-nice must be within -20…19")

            let sw = try lab.startSwitch(config: topo.config, switch: "s1", extraArguments: ["--datapath-nice", "5"])
            let threads = try Self.threads(of: sw.pid)
            #expect(threads["sdn-datapath"] == 5, "threads: \(threads)")
            #expect(threads["sdn-housekeep"] == 0, "threads: \(threads)")
            #expect(try lab.ping(from: topo.ns1, topo.ip2))
        }

        /// With a busy-poll window longer than the gaps between frames the datapath keeps
        /// polling while traffic flows (a busy core), and sleeps again once it stops. The
        /// margins are wide: the pass/fail difference is a busy core against an idle one.
        @Test func busyPollWindowPollsWhileTrafficFlowsAndSleepsOnceItStops() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            try Self.expectRefused(lab, topo, ["--busy-poll-usec", "1000001"], "--busy-poll-usec must be within 0…1000000")

            let sw = try lab.startSwitch(config: topo.config, switch: "s1", extraArguments: ["--busy-poll-usec", "100000"])
            #expect(try lab.ping(from: topo.ns1, topo.ip2))
            // 40 pings 50 ms apart: every gap is inside the 100 ms window.
            let before = try Self.cpuTicks(of: sw.pid, thread: "sdn-datapath")
            let start = Date()
            let pings = try lab.exec(topo.ns1, "ping", ["-n", "-q", "-c", "40", "-i", "0.05", topo.ip2], timeout: 30)
            let busy = try Self.cpuTicks(of: sw.pid, thread: "sdn-datapath") - before
            let busySeconds = Date().timeIntervalSince(start)
            #expect(pings.status == 0, "\(pings.stdout)\(pings.stderr)")
            // Ticks are 1/100 s: polling throughout would be ~100 per second.
            #expect(Double(busy) > 25 * busySeconds, "datapath used \(busy) ticks in \(busySeconds) s of sparse traffic")

            Thread.sleep(forTimeInterval: 0.3)  // past the window
            let idleStart = try Self.cpuTicks(of: sw.pid, thread: "sdn-datapath")
            Thread.sleep(forTimeInterval: 3)
            let idle = try Self.cpuTicks(of: sw.pid, thread: "sdn-datapath") - idleStart
            // Polling throughout would be ~300 ticks; a stray frame costs 200 µs of polling
            // (the long window needs frames within a window of each other), a pair 100 ms.
            #expect(idle < 40, "datapath used \(idle) ticks in 3 s without traffic")

            // One-way frames a second apart (h1's ARP requests for an address nobody has) are
            // not steady traffic: each costs the short window, not 100 ms of polling.
            let lonely = try Self.cpuTicks(of: sw.pid, thread: "sdn-datapath")
            _ = try lab.exec(topo.ns1, "ping", ["-n", "-q", "-c", "6", "-i", "0.5", "-w", "3", "10.91.0.99"], timeout: 10)
            let arp = try Self.cpuTicks(of: sw.pid, thread: "sdn-datapath") - lonely
            #expect(arp < 15, "datapath used \(arp) ticks for 3 ARP requests a second apart")
        }

        /// `vswitchd run` with `arguments` exits with an error that says `message`.
        static func expectRefused(_ lab: Lab, _ topo: TwoHosts, _ arguments: [String], _ message: String) throws {
            let refused = try lab.vswitchd(["run", "--config", topo.config, "--switch", "s1"] + arguments)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }

        /// utime + stime of the named thread of `pid`, in clock ticks (fields 14 and 15).
        static func cpuTicks(of pid: Int32, thread: String) throws -> Int {
            guard let fields = try threadStats(of: pid)[thread], fields.count > 12,
                  let user = Int(fields[11]), let system = Int(fields[12]) else {
                throw LabError("no thread \(thread) in process \(pid)")
            }
            return user + system
        }

        /// Thread name → niceness (field 19).
        static func threads(of pid: Int32) throws -> [String: Int] {
            try threadStats(of: pid).compactMapValues { $0.count > 16 ? Int($0[16]) : nil }
        }

        /// Thread name → the fields of /proc/PID/task/TID/stat after the name (the first is
        /// field 3, the state). The name is field 2, in parentheses, and may itself hold spaces
        /// or parentheses.
        static func threadStats(of pid: Int32) throws -> [String: [Substring]] {
            var result: [String: [Substring]] = [:]
            for tid in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
                let stat = try String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8)
                guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
                result[String(stat[stat.index(after: open)..<close])] = stat[stat.index(after: close)...].split(separator: " ")
            }
            return result
        }
    }
}
