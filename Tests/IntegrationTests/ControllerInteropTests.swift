import Foundation
import Testing
import TestSupport

extension Integration {
    /// The built `sdn-controller` driving real switches: Open vSwitch (userspace datapath, run
    /// privately by the test, see `OVSLab`) and our own `vswitchd`. Hosts in namespaces ping
    /// through the learning app; the controller's flows are read back with `ovs-ofctl` and
    /// `sdnctl`; re-sync on reconnect and LLDP discovery are checked against OVS.
    @Suite("sdn-controller with Open vSwitch and vswitchd")
    struct ControllerInterop {
        static let missCookie = "cookie=0x4d49535300000000"
        static let lldpCookie = "cookie=0x4c4c445000000000"

        /// The learned flow `in_port=IN, dl_src=SRC, dl_dst=DST → output:OUT` (priority 10, a
        /// "LEAR" cookie), as ovs-ofctl or sdnctl print it.
        static func learnedFlow(_ flows: [DumpedFlow], inPort: Int, src: String, dst: String, out: Int) -> DumpedFlow? {
            flows.first {
                $0.cookieTag(is: ControllerCookie.learned)
                    && $0.has("priority=10,", "in_port=\(inPort),", "dl_src=\(src),", "dl_dst=\(dst) ", "actions=output:\(out)")
            }
        }

        /// Lines of the controller's log that say something went wrong.
        static func complaints(_ c: ControllerProcess) -> [String] {
            c.log.split(separator: "\n").map(String.init).filter {
                $0.contains("refused") || $0.contains("ERROR") || $0.contains("cannot") || $0.contains("failed")
                    || $0.contains("unexpected")
            }
        }

        /// Test 1: OVS (netdev datapath, fail_mode=secure) connects to sdn-controller; the
        /// controller's barrier-confirmed re-sync installs its intended flows (table-miss →
        /// CONTROLLER and LLDP → CONTROLLER, with their cookies), two namespace hosts behind OVS
        /// ping each other through the reactive learning app, and the flows it learned appear in
        /// `ovs-ofctl dump-flows` and carry the second ping round; the session outlives 3 s of
        /// silence with a 0.5 s echo keepalive.
        @Test func openVSwitchHostsPingThroughTheLearningAppAndTheControllersFlowsAreInstalled() throws {
            guard integrationGate(tools: namespaceTools + ovsTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let ovs = try OVSLab(lab)
            defer { ovs.stop() }
            try ovs.start()
            // Echo after 0.5 s of silence, close after 3 unanswered: OVS must answer the keepalive.
            let controller = try lab.startController(echoInterval: 0.5, in: ovs.namespace)
            let topo = try OVSTwoHosts(ovs, controllerPort: controller.port)
            let dpid = formatDPID(topo.datapathID)

            try #require(controller.waitFor("openflow: \(dpid) ready: ", seconds: 15),
                         "OVS did not become a ready switch:\n\(controller.log)\n\(ovs.logTail())")
            let ready = controller.lines(containing: "openflow: \(dpid) ready: ").first ?? ""
            #expect(ready.contains("1(\(topo.port1))") && ready.contains("2(\(topo.port2))") && ready.contains("LOCAL(\(topo.bridge))"),
                    "the controller learned OVS's ports from PORT_DESC: \(ready)")
            #expect(controller.waitFor("controller: switch \(dpid) connected", seconds: 5), "\(controller.log)")
            try #require(controller.waitFor("controller: re-sync \(dpid): ", seconds: 10), "no re-sync:\n\(controller.log)")
            let resync = controller.lines(containing: "controller: re-sync \(dpid): ").first ?? ""
            #expect(resync.contains(": 0 installed, 2 intended, +2 -0 =0, 0 unmanaged"), "a fresh bridge gets the 2 intended flows: \(resync)")

            // The intended flows, pushed before the re-sync was logged (barrier-confirmed).
            let initial = try ovs.flows(topo.bridge)
            print("OVS flows after the controller's re-sync:\n\(initial.map(\.line).joined(separator: "\n"))")
            #expect(initial.count == 2, "exactly the miss and LLDP flows: \(initial.map(\.line))")
            #expect(initial.contains { $0.has(Self.missCookie + ",", "table=0,", " priority=0 actions=CONTROLLER:65535") },
                    "the table-miss flow: \(initial.map(\.line))")
            #expect(initial.contains { $0.has(Self.lldpCookie + ",", "table=0,", " priority=65535,dl_type=0x88cc actions=CONTROLLER:65535") },
                    "the LLDP flow: \(initial.map(\.line))")

            // Round 1: ARP and the first echoes go up as PACKET_INs; the app floods, learns, installs.
            let first = try lab.pingReplies(from: topo.ns1, topo.ip2, count: 5, wait: 2)
            print("ping round 1 (learning): \(first.received)/5")
            #expect(first.received >= 3, "h1 -> h2 through the learning app (one early loss allowed):\n\(first.output)\n\(controller.log)")
            let afterFirst = try ovs.flows(topo.bridge)
            print("OVS flows after round 1:\n\(afterFirst.map(\.line).joined(separator: "\n"))")
            let forward = try #require(Self.learnedFlow(afterFirst, inPort: 1, src: topo.mac1, dst: topo.mac2, out: 2),
                                       "no learned flow h1 -> h2 (port 1 -> 2):\n\(afterFirst.map(\.line).joined(separator: "\n"))")
            let back = try #require(Self.learnedFlow(afterFirst, inPort: 2, src: topo.mac2, dst: topo.mac1, out: 1),
                                    "no learned flow h2 -> h1 (port 2 -> 1):\n\(afterFirst.map(\.line).joined(separator: "\n"))")
            #expect(forward.has("idle_timeout=60,"), "learned flows idle out: \(forward.line)")
            let miss = try #require(afterFirst.first { $0.has(Self.missCookie + ",") })
            #expect(miss.packets >= 1, "the first packets went up through the miss flow: \(miss.line)")

            // Round 2: carried by the learned flows in OVS.
            let second = try lab.pingReplies(from: topo.ns1, topo.ip2, count: 5, wait: 2)
            #expect(second.received == 5, "h1 -> h2 on the learned flows:\n\(second.output)")
            let afterSecond = try ovs.flows(topo.bridge)
            let forward2 = try #require(Self.learnedFlow(afterSecond, inPort: 1, src: topo.mac1, dst: topo.mac2, out: 2))
            let back2 = try #require(Self.learnedFlow(afterSecond, inPort: 2, src: topo.mac2, dst: topo.mac1, out: 1))
            #expect(forward2.packets > 0 && back2.packets > 0)
            #expect(forward2.packets - forward.packets >= 5 && back2.packets - back.packets >= 5,
                    "round 2's requests and replies counted on the learned flows: \(forward.packets)->\(forward2.packets), \(back.packets)->\(back2.packets)")
            #expect(forward2.cookie == forward.cookie && back2.cookie == back.cookie, "no flow was re-learned in round 2")
            #expect(try lab.pingReplies(from: topo.ns2, topo.ip1, count: 3, wait: 2).received == 3, "h2 -> h1 too")

            // 3 s of silence (6 echo intervals): the keepalive's echoes are answered, the session stays.
            usleep(3_000_000)
            #expect(controller.keptItsOnlyConnection, "the session with OVS survived its idle time:\n\(controller.log)")
            #expect(Self.complaints(controller).isEmpty, "controller log: \(Self.complaints(controller))")
        }

        /// Test 2: sdn-controller driving our own vswitchd (fail-mode secure, `controller:` in the
        /// topology): ping through the learning app, learned flows in `sdnctl dump-flows`, the
        /// session outlives 3 s of silence with a 0.5 s echo keepalive; with the
        /// controller stopped the switch keeps forwarding on them (and, being secure, floods
        /// nothing); the controller back on the same port re-syncs the switch without changes.
        @Test func sdnControllerDrivesVswitchdAndSecureModeKeepsItsFlows() throws {
            guard integrationGate(tools: namespaceTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let controller = try lab.startController(echoInterval: 0.5)
            let dpidValue = lab.datapathID(2), dpid = formatDPID(dpidValue)
            let tap1 = lab.name("t1"), tap2 = lab.name("t2"), ns1 = lab.name("h1"), ns2 = lab.name("h2")
            let ip1 = "10.98.0.1", ip2 = "10.98.0.2", mac1 = "02:00:00:00:98:01", mac2 = "02:00:00:00:98:02"
            let config = try lab.write("controlled.yaml", """
                name: \(lab.prefix)-controlled
                switches:
                  s1:
                    datapath-id: \(dpid)
                    fail-mode: secure
                    controller: tcp:127.0.0.1:\(controller.port)
                    listen: ptcp:0
                    ports:
                      1: {name: \(tap1), type: tap}
                      2: {name: \(tap2), type: tap}
                hosts:
                  h1: {switch: s1, port: 1, ip: \(ip1)/24, mac: "\(mac1)", namespace: \(ns1)}
                  h2: {switch: s1, port: 2, ip: \(ip2)/24, mac: "\(mac2)", namespace: \(ns2)}
                """)
            let sw = try lab.startSwitch(config: config, switch: "s1")

            try #require(controller.waitFor("openflow: \(dpid) ready: ", seconds: 15),
                         "vswitchd did not become a ready switch:\n\(controller.log)\n\(sw.background.stdout)\(sw.background.stderr)")
            let ready = controller.lines(containing: "openflow: \(dpid) ready: ").first ?? ""
            #expect(ready.contains("1(\(tap1))") && ready.contains("2(\(tap2))"), "PORT_DESC of vswitchd: \(ready)")
            try #require(controller.waitFor("controller: re-sync \(dpid): ", seconds: 10), "no re-sync:\n\(controller.log)")
            let resync = controller.lines(containing: "controller: re-sync \(dpid): ").first ?? ""
            #expect(resync.contains(": 0 installed, 2 intended, +2 -0 =0, 0 unmanaged"), "\(resync)")

            func dump() throws -> [DumpedFlow] {
                let r = try lab.sdnctl(sw, ["dump-flows"])
                try #require(r.status == 0, "sdnctl dump-flows: \(r.stderr)")
                return DumpedFlow.parse(r.stdout)
            }
            let initial = try dump()
            #expect(initial.contains { $0.has(Self.missCookie + ",", "priority=0 actions=CONTROLLER:65535") }, "miss flow: \(initial.map(\.line))")
            #expect(initial.contains { $0.has(Self.lldpCookie + ",", "priority=65535,dl_type=0x88cc actions=CONTROLLER:65535") }, "LLDP flow: \(initial.map(\.line))")

            let first = try lab.pingReplies(from: ns1, ip2, count: 5, wait: 2)
            print("vswitchd ping round 1 (learning): \(first.received)/5")
            #expect(first.received >= 3, "h1 -> h2 through the learning app:\n\(first.output)\n\(controller.log)")
            let learned = try dump()
            print("vswitchd flows after round 1:\n\(learned.map(\.line).joined(separator: "\n"))")
            let forward = try #require(Self.learnedFlow(learned, inPort: 1, src: mac1, dst: mac2, out: 2),
                                       "sdnctl dump-flows lacks the learned h1 -> h2 flow:\n\(learned.map(\.line).joined(separator: "\n"))")
            let back = try #require(Self.learnedFlow(learned, inPort: 2, src: mac2, dst: mac1, out: 1),
                                    "sdnctl dump-flows lacks the learned h2 -> h1 flow:\n\(learned.map(\.line).joined(separator: "\n"))")

            // 3 s of silence (6 echo intervals): vswitchd answers the keepalive, the session stays.
            usleep(3_000_000)
            #expect(controller.keptItsOnlyConnection, "the session with vswitchd survived its idle time:\n\(controller.log)")

            // The controller goes away (SIGTERM: a clean shutdown).
            let stopped = controller.background.stop(grace: 5)
            #expect(!stopped.killed && stopped.status == 0, "sdn-controller stops on SIGTERM with status 0: \(stopped)")
            #expect(controller.log.contains("controller: stopped"), "\(controller.log)")
            usleep(300_000)

            // Secure mode: the learned flows still carry the already-learned pair…
            let without = try lab.pingReplies(from: ns1, ip2, count: 3, wait: 2)
            #expect(without.received == 3, "h1 -> h2 on the installed flows with the controller gone:\n\(without.output)")
            let kept = try dump()
            let forward2 = try #require(Self.learnedFlow(kept, inPort: 1, src: mac1, dst: mac2, out: 2), "\(kept.map(\.line))")
            let back2 = try #require(Self.learnedFlow(kept, inPort: 2, src: mac2, dst: mac1, out: 1), "\(kept.map(\.line))")
            #expect(forward2.packets - forward.packets >= 3 && back2.packets - back.packets >= 3,
                    "the learned flows counted the pings: \(forward.packets)->\(forward2.packets), \(back.packets)->\(back2.packets)")
            // …but nothing new: a broadcast ARP hits the miss flow and goes nowhere (no fallback to NORMAL).
            for ns in [ns1, ns2] { try lab.mustExec(ns, "ip", ["neigh", "flush", "all"]) }
            let unlearned = try lab.pingReplies(from: ns1, ip2, count: 2, wait: 1)
            #expect(unlearned.received == 0, "with no controller a secure switch must not resolve ARP:\n\(unlearned.output)")

            // The controller back on the same port: vswitchd reconnects, the re-sync finds the
            // intended flows as they should be and leaves the learned ones alone.
            let again = try lab.startController(port: controller.port)
            try #require(again.waitFor("controller: re-sync \(dpid): ", seconds: 15),
                         "vswitchd did not reconnect (or no re-sync):\n\(again.log)\n\(sw.background.stdout)")
            let resync2 = again.lines(containing: "controller: re-sync \(dpid): ").first ?? ""
            print("re-sync of vswitchd on reconnect: \(resync2)")
            #expect(resync2.contains(": 4 installed, 2 intended, +0 -0 =2, 2 unmanaged"),
                    "vswitchd reports the intended flows as they were pushed (nothing re-sent), the learned ones unmanaged: \(resync2)")
            let after = try lab.pingReplies(from: ns1, ip2, count: 5, wait: 2)
            #expect(after.received >= 3, "ARP resolves again through the restarted controller:\n\(after.output)\n\(again.log)")
            #expect(Self.complaints(again).isEmpty && Self.complaints(controller).isEmpty,
                    "controller logs: \(Self.complaints(controller)) \(Self.complaints(again))")
            #expect(sw.background.isRunning, "vswitchd survived: \(sw.background.stderr)")
        }

        /// Test 3: re-sync on reconnect against OVS. With the controller stopped, the bridge
        /// gets an extra flow (cookie 0x1234) and loses the miss flow; the controller restarted
        /// on the same port re-syncs it once OVS reconnects: the miss flow is back, the extra
        /// flow is gone, the LLDP flow and the learned flows are untouched.
        @Test func restartedControllerResyncsOpenVSwitch() throws {
            guard integrationGate(tools: namespaceTools + ovsTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let ovs = try OVSLab(lab)
            defer { ovs.stop() }
            try ovs.start()
            let controller = try lab.startController(in: ovs.namespace)
            let topo = try OVSTwoHosts(ovs, controllerPort: controller.port)
            let dpid = formatDPID(topo.datapathID)
            try #require(controller.waitFor("controller: re-sync \(dpid): ", seconds: 15),
                         "no re-sync of OVS:\n\(controller.log)\n\(ovs.logTail())")
            let first = try lab.pingReplies(from: topo.ns1, topo.ip2, count: 5, wait: 2)
            #expect(first.received >= 3, "h1 -> h2 through the learning app:\n\(first.output)")
            let before = try ovs.flows(topo.bridge)
            let lldpBefore = try #require(before.first { $0.has(Self.lldpCookie + ",") }, "\(before.map(\.line))")
            let learnedBefore = before.filter { $0.cookieTag(is: ControllerCookie.learned) }
            #expect(learnedBefore.count == 2, "two learned flows: \(before.map(\.line))")

            let stopped = controller.background.stop(grace: 5)
            #expect(!stopped.killed && stopped.status == 0, "sdn-controller stops on SIGTERM with status 0: \(stopped)")
            #expect(controller.log.contains("controller: signal 15, shutting down") && controller.log.contains("controller: stopped"),
                    "\(controller.log)")

            // Drift while the controller is away.
            try ovs.ofctl("add-flow", topo.bridge, ["cookie=0x1234,priority=7,in_port=1,dl_type=0x88b5,actions=drop"])
            try ovs.ofctl("del-flows", topo.bridge, ["priority=0"], options: ["--strict"])
            let drifted = try ovs.flows(topo.bridge)
            #expect(!drifted.contains { $0.has(Self.missCookie) }, "the miss flow is deleted: \(drifted.map(\.line))")
            #expect(drifted.contains { $0.cookie == 0x1234 && $0.has("priority=7,in_port=1,dl_type=0x88b5 actions=drop") },
                    "the extra flow is in: \(drifted.map(\.line))")

            let started = Date()
            let again = try lab.startController(port: controller.port, in: ovs.namespace)
            try #require(again.waitFor("controller: re-sync \(dpid): ", seconds: 10),
                         "OVS did not reconnect and get re-synced within 10 s:\n\(again.log)\n\(ovs.logTail())")
            let took = Date().timeIntervalSince(started)
            let resync = again.lines(containing: "controller: re-sync \(dpid): ").first ?? ""
            print("re-sync of OVS \(String(format: "%.1f", took)) s after the restart: \(resync)")
            #expect(resync.contains(": 4 installed, 2 intended, +1 -1 =1, 2 unmanaged"),
                    "the miss flow added, the 0x1234 flow deleted, the LLDP flow kept, the learned flows left alone: \(resync)")

            let after = try ovs.flows(topo.bridge)
            print("OVS flows after the re-sync:\n\(after.map(\.line).joined(separator: "\n"))")
            #expect(after.contains { $0.has(Self.missCookie + ",", " priority=0 actions=CONTROLLER:65535") }, "the miss flow is back: \(after.map(\.line))")
            #expect(!after.contains { $0.cookie == 0x1234 }, "the extra flow is gone: \(after.map(\.line))")
            let lldpAfter = try #require(after.first { $0.has(Self.lldpCookie + ",") }, "\(after.map(\.line))")
            #expect(lldpAfter.has(" priority=65535,dl_type=0x88cc actions=CONTROLLER:65535"))
            #expect((lldpAfter.duration ?? 0) > (lldpBefore.duration ?? .infinity), "the LLDP flow was kept, not re-added: \(lldpBefore.line) -> \(lldpAfter.line)")
            let learnedAfter = after.filter { $0.cookieTag(is: ControllerCookie.learned) }
            #expect(Set(learnedAfter.compactMap(\.cookie)) == Set(learnedBefore.compactMap(\.cookie)), "learned flows untouched: \(learnedAfter.map(\.line))")
            #expect(after.count == 4, "miss, LLDP and two learned flows: \(after.map(\.line))")
            #expect(try lab.pingReplies(from: topo.ns1, topo.ip2, count: 3, wait: 2).received == 3, "h1 -> h2 after the re-sync")
            #expect(Self.complaints(again).isEmpty, "controller log: \(Self.complaints(again))")
        }

        /// Test 4: LLDP discovery between two OVS bridges joined by a patch port pair, both
        /// connected to one sdn-controller (--lldp-interval 1): both directions of the link are
        /// logged as discovered within 3 intervals, the LLDP flows and the patch ports count the
        /// probes, the link does not age out while probes flow, and deleting a patch port
        /// (PORT_STATUS delete) removes it.
        @Test func lldpDiscoversALinkBetweenTwoOpenVSwitchBridges() throws {
            guard integrationGate(tools: ["ip", "timeout"] + ovsTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let ovs = try OVSLab(lab)
            defer { ovs.stop() }
            try ovs.start()
            let controller = try lab.startController(lldpInterval: 1, in: ovs.namespace)
            let b1 = lab.name("b1"), b2 = lab.name("b2"), patch1 = lab.name("pa"), patch2 = lab.name("pb")
            let d1 = lab.datapathID(0x11), d2 = lab.datapathID(0x12)
            try ovs.addBridge(b1, datapathID: d1, controllerPort: nil)
            try ovs.addBridge(b2, datapathID: d2, controllerPort: nil)
            try ovs.vsctl(["add-port", b1, patch1, "--", "set", "interface", patch1, "type=patch", "options:peer=\(patch2)", "ofport_request=5",
                           "--", "add-port", b2, patch2, "--", "set", "interface", patch2, "type=patch", "options:peer=\(patch1)", "ofport_request=6"])
            try ovs.setController(b1, port: controller.port)
            try ovs.setController(b2, port: controller.port)

            try #require(controller.waitFor("openflow: \(formatDPID(d1)) ready: ", seconds: 15)
                         && controller.waitFor("openflow: \(formatDPID(d2)) ready: ", seconds: 15),
                         "both bridges become ready switches:\n\(controller.log)\n\(ovs.logTail())")
            let bothReady = Date()
            let forward = "lldp: link \(formatDPID(d1)):5 -> \(formatDPID(d2)):6 discovered"
            let reverse = "lldp: link \(formatDPID(d2)):6 -> \(formatDPID(d1)):5 discovered"
            let discovered = Lab.poll(seconds: 3) { controller.log.contains(forward) && controller.log.contains(reverse) }
            let took = Date().timeIntervalSince(bothReady)
            print("LLDP: both directions discovered \(String(format: "%.2f", took)) s after both bridges were ready")
            #expect(discovered, "both directions discovered within 3 × 1 s:\n\(controller.log)")
            #expect(controller.lines(containing: "lldp: link ").count == 2, "no other link: \(controller.lines(containing: "lldp: "))")

            // The probes went out as PACKET_OUTs and came back up through the LLDP flows.
            func txPackets(_ bridge: String, _ port: Int) throws -> Int {
                let stats = OfctlPortStats.parse(try ovs.ofctl("dump-ports", bridge))
                return try #require(stats[port], "dump-ports \(bridge) lacks port \(port): \(stats)").txPackets
            }
            let tx1 = try txPackets(b1, 5), tx2 = try txPackets(b2, 6)
            #expect(tx1 >= 1 && tx2 >= 1, "the patch ports sent the probes: tx \(tx1), \(tx2)")
            for bridge in [b1, b2] {
                let flows = try ovs.flows(bridge)
                let lldp = try #require(flows.first { $0.has(Self.lldpCookie + ",", "priority=65535,dl_type=0x88cc actions=CONTROLLER:65535") },
                                        "\(bridge) lacks the LLDP flow: \(flows.map(\.line))")
                #expect(lldp.packets >= 1, "\(bridge)'s LLDP flow sent the probes up: \(lldp.line)")
            }

            // Probes keep coming (one per second per port), so the link (max age 3 s) stays.
            usleep(3_500_000)
            #expect(try txPackets(b1, 5) >= tx1 + 3 && txPackets(b2, 6) >= tx2 + 3, "a probe per interval per port")
            #expect(controller.lines(containing: "expired").isEmpty, "the link did not age out: \(controller.lines(containing: "lldp: "))")

            // The patch port on b1 goes away: PORT_STATUS delete, and both directions are removed.
            try ovs.vsctl(["del-port", b1, patch1])
            let removed = Lab.poll(seconds: 5) {
                controller.log.contains("lldp: link \(formatDPID(d1)):5 -> \(formatDPID(d2)):6 removed")
                    && controller.log.contains("lldp: link \(formatDPID(d2)):6 -> \(formatDPID(d1)):5 removed")
            }
            #expect(removed, "deleting port 5 of b1 removes the link both ways:\n\(controller.log)")
            #expect(controller.log.contains("controller: \(formatDPID(d1)) port 5(\(patch1)) deleted"), "\(controller.log)")
            #expect(Self.complaints(controller).isEmpty, "controller log: \(Self.complaints(controller))")
        }
    }
}
