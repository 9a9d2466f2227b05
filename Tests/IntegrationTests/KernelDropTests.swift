import Foundation
import Testing
import TestSupport

extension Integration {
    /// Frames a host sends while the switch cannot keep up are dropped by the kernel in the TAP
    /// device's queue, before the switch sees them. They still count: `show` charges them to the
    /// port as kernel-queue-full drops, read from the device's tx_dropped.
    @Suite("Kernel queue drops on TAP ports")
    struct KernelDrops {
        @Test func framesTheTapQueueDroppedAreCountedOnThePort() throws {
            guard integrationGate(tools: namespaceTools + ["python3"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try TwoHosts(lab)
            let sw = try lab.startSwitch(config: topo.config, switch: "s1")
            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2 before the flood (ARP resolved)")

            // A short queue on h1's side of the TAP, then a switch that reads nothing.
            let queue = try lab.run("ip", ["-n", topo.ns1, "link", "set", "eth0", "txqueuelen", "64"])
            try #require(queue.status == 0, "txqueuelen: \(queue.stderr)")
            let before = try portCounters(lab, sw, port: 1)
            try #require(kill(sw.pid, SIGSTOP) == 0)
            let sent = 3000
            let flood = try lab.exec(topo.ns1, "python3", ["-c", """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                for _ in range(\(sent)):
                    s.sendto(b"x" * 18, ("\(topo.ip2)", 9))
                """])
            try #require(kill(sw.pid, SIGCONT) == 0)
            try #require(flood.status == 0, "UDP sender: \(flood.stderr)")

            // The housekeeping thread reads the device's counter once a second.
            var after = before
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                Thread.sleep(forTimeInterval: 0.5)
                after = try portCounters(lab, sw, port: 1)
                if after.kernelDrops > before.kernelDrops && after.received > before.received { break }
            }
            let dropped = after.kernelDrops - before.kernelDrops
            let received = after.received - before.received
            print("TAP queue of 64 with the switch stopped: \(sent) frames sent, \(dropped) kernel-queue-full drops, \(received) received")
            #expect(dropped >= sent / 2, "most of the flood cannot fit a 64-frame queue")
            #expect(dropped <= sent, "no more drops than frames sent")
            // Every frame of the flood is either received by the switch or counted as dropped.
            #expect(dropped + received >= sent, "frames lost without a count: \(sent - dropped - received)")
            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2 after the flood")
        }

        struct Counters: Equatable {
            var received = 0
            var kernelDrops = 0
        }

        /// Port `port`'s rx packets and kernel-queue-full drops, as `sdnctl switch … show` prints them.
        func portCounters(_ lab: Lab, _ sw: Lab.SwitchProcess, port: Int) throws -> Counters {
            let r = try lab.sdnctl(sw, ["show"])
            try #require(r.status == 0, "show: \(r.stderr)")
            var counters = Counters()
            var inPort = false
            for line in r.stdout.split(separator: "\n").map(String.init) {
                if line.hasPrefix(" "), !line.hasPrefix("  "), let paren = line.firstIndex(of: "(") {
                    inPort = line.dropFirst().prefix(upTo: paren) == "\(port)"
                    continue
                }
                guard inPort else { continue }
                let fields = line.split(separator: " ")
                if fields.first == "rx", let p = fields.first(where: { $0.hasPrefix("pkts=") }) {
                    counters.received = Int(p.dropFirst(5)) ?? -1
                }
                if line.contains("drop kernel-queue-full=") {
                    counters.kernelDrops = Int(line.split(separator: "=").last ?? "") ?? -1
                }
            }
            return counters
        }
    }
}
