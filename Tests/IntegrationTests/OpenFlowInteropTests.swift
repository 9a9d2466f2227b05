import Foundation
import Testing
import TestSupport

extension Integration {
    /// vswitchd's OpenFlow 1.3 agent against real tools: Open vSwitch's `ovs-ofctl` as the
    /// controller side, tshark's OpenFlow dissector as the judge of the bytes, and a raw python3
    /// peer for sessions no tool produces (an active controller, garbage on the wire).
    @Suite("OpenFlow 1.3 interop with ovs-ofctl and tshark")
    struct OpenFlowInterop {
        /// One flow as ovs-ofctl is given it and as `dump-flows` prints its match and actions.
        struct Flow {
            let table: Int
            let add: String
            let shown: String
            var cookie: String? = nil
            /// The `--no-stats` line: "[cookie=C, ][table=N, ]SHOWN" (table 0 is left out).
            var line: String {
                ([cookie.map { "cookie=\($0)" }, table == 0 ? nil : "table=\(table)"].compactMap { $0 } + [shown])
                    .joined(separator: ", ")
            }
            /// Whether a `dump-flows` line with statistics is this flow.
            func isDumped(as statsLine: String) -> Bool {
                statsLine.contains("table=\(table), ") && statsLine.hasSuffix(", " + shown)
                    && statsLine.hasPrefix(" cookie=\(cookie ?? "0x0"), ")
            }
        }

        /// Test 1 and 2 (ovs-ofctl side): show, add-flow (matches, masks, goto_table,
        /// write_metadata, set_field, cookie, groups), dump-flows text and counters after ping,
        /// del-flows (loose and --strict), dump-ports deltas, add-group/dump-groups with traffic
        /// through all/ff/indirect groups, packet-out caught in h2, OpenFlow errors ovs-ofctl
        /// prints, dump-tables/-ports-desc/-aggregate — all captured on loopback; tshark decodes
        /// every message the switch sent as valid OpenFlow 1.3.
        @Test func ovsOfctlDrivesTheSwitchAndTsharkDecodesEveryReply() throws {
            guard integrationGate(tools: namespaceTools + ["ovs-ofctl", "tshark", "tcpdump"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let topo = try OpenFlowTwoHosts(lab)
            let sw = try lab.startOpenFlowSwitch(config: topo.config)
            let capture = try LoopbackCapture(lab, port: sw.port, file: "ofctl.pcap")

            /// ovs-ofctl COMMAND that must succeed; its stdout.
            func ofctl(_ command: String, _ arguments: [String] = [], options: [String] = []) throws -> String {
                let r = try lab.ofctl(command, sw, arguments, options: options)
                try #require(r.status == 0, "ovs-ofctl \(options) \(command) \(arguments): status \(r.status)\n\(r.stderr)")
                return r.stdout
            }
            /// The `dump-flows --no-stats` lines, without the reply header.
            func flowLines() throws -> Set<String> {
                Set(try ofctl("dump-flows", options: ["--no-stats"]).split(separator: "\n")
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("OFPST_FLOW") && !$0.isEmpty })
            }
            /// n_packets of each flow, from one `dump-flows`.
            func packets(_ flows: [Flow]) throws -> [Int] {
                let dump = DumpedFlow.parse(try ofctl("dump-flows"))
                return try flows.map { f in
                    let match = dump.first { f.isDumped(as: $0.line) }
                    return try #require(match, "no flow '\(f.line)' in dump-flows:\n\(dump.map(\.line).joined(separator: "\n"))").packets
                }
            }
            func portStats() throws -> [Int: OfctlPortStats] { OfctlPortStats.parse(try ofctl("dump-ports")) }

            // show: datapath id, 16 tables, both ports by number and name.
            let show = try ofctl("show")
            #expect(show.contains("dpid:0000000000000001"), "show: \(show)")
            #expect(show.contains("n_tables:16"), "show: \(show)")
            #expect(show.contains(" 1(\(topo.tap1)): addr:") && show.contains(" 2(\(topo.tap2)): addr:"), "show lists both ports by name:\n\(show)")
            #expect(try flowLines().isEmpty, "a switch without flows dumps none")

            // add-flow: IPv4 h1 -> h2 goes table 0 (metadata) -> table 1 (set eth_dst, output);
            // h2 -> h1 via goto too; ARP by explicit ports; two flows that must never match a ping.
            let toTable1 = Flow(table: 0, add: "table=0,priority=100,ip,in_port=1,nw_dst=10.95.0.0/24,actions=write_metadata:0x5/0xff,goto_table:1",
                                shown: "priority=100,ip,in_port=1,nw_dst=10.95.0.0/24 actions=write_metadata:0x5/0xff,goto_table:1")
            let backToTable1 = Flow(table: 0, add: "table=0,priority=100,ip,in_port=2,actions=goto_table:1",
                                    shown: "priority=100,ip,in_port=2 actions=goto_table:1")
            let arp1 = Flow(table: 0, add: "table=0,priority=50,arp,in_port=1,actions=output:2", shown: "priority=50,arp,in_port=1 actions=output:2")
            let arp2 = Flow(table: 0, add: "table=0,priority=50,arp,in_port=2,actions=output:1", shown: "priority=50,arp,in_port=2 actions=output:1")
            let toH2 = Flow(table: 1, add: "table=1,priority=10,ip,metadata=0x5/0xff,actions=set_field:\(topo.mac2)->eth_dst,output:2",
                            shown: "priority=10,ip,metadata=0x5/0xff actions=set_field:\(topo.mac2)->eth_dst,output:2")
            let toH1 = Flow(table: 1, add: "table=1,priority=10,ip,in_port=2,dl_dst=\(topo.mac1),actions=output:1",
                            shown: "priority=10,ip,in_port=2,dl_dst=\(topo.mac1) actions=output:1")
            let maskedMAC = Flow(table: 1, add: "table=1,priority=5,dl_src=02:00:00:00:00:00/ff:ff:00:00:00:00,actions=drop",
                                 shown: "priority=5,dl_src=02:00:00:00:00:00/ff:ff:00:00:00:00 actions=drop")
            let maskedTCP = Flow(table: 1, add: "cookie=0x2a,table=1,priority=7,tcp,nw_src=10.95.0.0/24,tp_dst=0x50/0xfff0,actions=drop",
                                 shown: "priority=7,tcp,nw_src=10.95.0.0/24,tp_dst=0x50/0xfff0 actions=drop", cookie: "0x2a")
            let flows = [toTable1, backToTable1, arp1, arp2, toH2, toH1, maskedMAC, maskedTCP]
            for f in flows { _ = try ofctl("add-flow", [f.add]) }
            #expect(try flowLines() == Set(flows.map(\.line)), "dump-flows prints back every match and action")

            // Traffic counts on the right flows, and on both ports.
            let portsBefore = try portStats()
            let before = try packets(flows)
            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2 over goto_table/write_metadata/set_field flows")
            let after = try packets(flows)
            let delta = zip(after, before).map { $0 - $1 }
            #expect(delta[0] >= 3 && delta[4] >= 3, "echo requests counted in table 0 and table 1: \(delta)")
            #expect(delta[1] >= 3 && delta[5] >= 3, "echo replies counted in table 0 and table 1: \(delta)")
            #expect(delta[2] >= 1 && delta[3] >= 1, "h1's ARP request and h2's reply counted: \(delta)")
            #expect(delta[6] == 0 && delta[7] == 0, "the masked MAC and TCP flows match no ping: \(delta)")
            let portsAfter = try portStats()
            for port in [1, 2] {
                let b = try #require(portsBefore[port], "dump-ports lacks port \(port)")
                let a = try #require(portsAfter[port], "dump-ports lacks port \(port)")
                #expect(a.rxPackets - b.rxPackets >= 3 && a.txPackets - b.txPackets >= 3,
                        "port \(port) rx/tx counted the ping: \(b) -> \(a)")
            }

            // dump-aggregate agrees with the flows, dump-tables with the tables, dump-ports-desc names the ports.
            let sumBefore = try packets(flows).reduce(0, +)
            let aggregate = try ofctl("dump-aggregate")
            let sumAfter = try packets(flows).reduce(0, +)
            #expect(OfctlText.number(after: "flow_count=", in: aggregate) == flows.count, "dump-aggregate: \(aggregate)")
            let total = try #require(OfctlText.number(after: "packet_count=", in: aggregate), "dump-aggregate: \(aggregate)")
            #expect(sumBefore <= total && total <= sumAfter, "aggregate packet_count \(total) is the flows' sum (\(sumBefore)...\(sumAfter))")
            let tables = try ofctl("dump-tables")
            let active = OfctlText.activeCounts(tables)
            #expect(Set(active.keys) == Set(0...15), "dump-tables covers 16 tables:\n\(tables)")
            #expect(active[0] == 4 && active[1] == 4 && (2...15).allSatisfy { active[$0] == 0 }, "active counts per table: \(active)\n\(tables)")
            let portDesc = try ofctl("dump-ports-desc")
            #expect(portDesc.contains(" 1(\(topo.tap1)): addr:") && portDesc.contains(" 2(\(topo.tap2)): addr:"), "dump-ports-desc:\n\(portDesc)")

            // del-flows with a match removes only what it matches; --strict needs the exact match and priority.
            _ = try ofctl("del-flows", ["table=0,arp"])
            #expect(try flowLines() == Set([toTable1, backToTable1, toH2, toH1, maskedMAC, maskedTCP].map(\.line)), "del-flows table=0,arp removes the two ARP flows only")
            _ = try ofctl("del-flows", ["table=1,priority=10,ip"], options: ["--strict"])
            _ = try ofctl("del-flows", ["table=1,priority=6,dl_src=02:00:00:00:00:00/ff:ff:00:00:00:00"], options: ["--strict"])
            #expect(try flowLines() == Set([toTable1, backToTable1, toH2, toH1, maskedMAC, maskedTCP].map(\.line)), "a --strict delete matching no flow exactly removes nothing")
            _ = try ofctl("del-flows", ["table=1,priority=5,dl_src=02:00:00:00:00:00/ff:ff:00:00:00:00"], options: ["--strict"])
            var remaining = [toTable1, backToTable1, toH2, toH1, maskedTCP]
            #expect(try flowLines() == Set(remaining.map(\.line)), "--strict removes exactly the masked-MAC flow")

            // Groups of all four types; flows through all (ARP both ways), ff and indirect (IPv4).
            let groups = [("group_id=1,type=all,bucket=output:1,bucket=output:2", "group_id=1,type=all,bucket=actions=output:1,bucket=actions=output:2"),
                          ("group_id=2,type=select,bucket=weight:10,output:2,bucket=weight:20,output:2", "group_id=2,type=select,bucket=weight:10,actions=output:2,bucket=weight:20,actions=output:2"),
                          ("group_id=3,type=ff,bucket=watch_port:2,output:2,bucket=watch_port:1,output:1", "group_id=3,type=ff,bucket=watch_port:2,actions=output:2,bucket=watch_port:1,actions=output:1"),
                          ("group_id=4,type=indirect,bucket=output:1", "group_id=4,type=indirect,bucket=actions=output:1")]
            for (add, _) in groups { _ = try ofctl("add-group", [add]) }
            let dumpedGroups = Set(try ofctl("dump-groups").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("group_id=") })
            #expect(dumpedGroups == Set(groups.map(\.1)), "dump-groups prints back every group")
            let arpGroup = Flow(table: 0, add: "table=0,priority=50,arp,actions=group:1", shown: "priority=50,arp actions=group:1")
            let ffGroup = Flow(table: 1, add: "table=1,priority=20,ip,metadata=0x5/0xff,actions=group:3", shown: "priority=20,ip,metadata=0x5/0xff actions=group:3")
            let indirectGroup = Flow(table: 1, add: "table=1,priority=20,ip,in_port=2,actions=group:4", shown: "priority=20,ip,in_port=2 actions=group:4")
            for f in [arpGroup, ffGroup, indirectGroup] { _ = try ofctl("add-flow", [f.add]) }
            remaining += [arpGroup, ffGroup, indirectGroup]
            #expect(try flowLines() == Set(remaining.map(\.line)))
            let groupStats = try ofctl("dump-group-stats")
            for (id, refs) in [(1, 1), (2, 0), (3, 1), (4, 1)] {
                #expect(groupStats.contains("group_id=\(id),") && groupStats.split(separator: "\n").contains { $0.contains("group_id=\(id),") && $0.contains("ref_count=\(refs),") },
                        "group \(id) is used by \(refs) flow(s):\n\(groupStats)")
            }
            for ns in [topo.ns1, topo.ns2] { try lab.exec(ns, "ip", ["neigh", "flush", "all"]) }
            let groupFlows = [arpGroup, ffGroup, indirectGroup, toH2, toH1]
            let beforeGroups = try packets(groupFlows)
            #expect(try lab.ping(from: topo.ns1, topo.ip2), "h1 -> h2 through the all/ff/indirect groups")
            let groupDelta = zip(try packets(groupFlows), beforeGroups).map { $0 - $1 }
            #expect(groupDelta[0] >= 2, "ARP request and reply went through group 1: \(groupDelta)")
            #expect(groupDelta[1] >= 3 && groupDelta[2] >= 3, "echo requests via group 3, replies via group 4: \(groupDelta)")
            #expect(groupDelta[3] == 0 && groupDelta[4] == 0, "the lower-priority flows the groups shadow count nothing: \(groupDelta)")

            // packet-out: a broadcast ARP built here leaves port 2 byte for byte, into h2.
            let sender: [UInt8] = [0x02, 0, 0, 0, 0xAA, 0xBB]
            let arp: [UInt8] = [UInt8](repeating: 0xFF, count: 6) + sender + [0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]
                + sender + [10, 95, 0, 9] + [UInt8](repeating: 0, count: 6) + [10, 95, 0, 2]
            let h2File = lab.path("packet-out.pcap")
            let tcpdump = try lab.spawnUnblocked("tcpdump-h2", "tcpdump", ["-i", "eth0", "--immediate-mode", "-c", "1", "-U", "-Z", "root", "-w", h2File,
                                                                  "ether src 02:00:00:00:aa:bb"], in: topo.ns2)
            try lab.waitUntilListening(tcpdump)
            let txBefore = try #require(try portStats()[2]).txPackets
            _ = try ofctl("packet-out", ["in_port=controller,packet=\(OFBytes.hex(arp)),actions=output:2"])
            #expect(tcpdump.waitForExit(seconds: 5) == 0, "tcpdump in h2 caught the packet-out frame: \(tcpdump.stderr)")
            let received = OfctlText.firstPcapFrame(h2File)
            #expect(received == arp, "h2 received exactly the frame sent: \(received.map { OFBytes.hex($0) } ?? "nothing")")
            let txAfter = try #require(try portStats()[2]).txPackets
            #expect(txAfter - txBefore >= 1, "port 2 tx counted the packet-out (\(txBefore) -> \(txAfter))")

            // Refused requests: ovs-ofctl prints the OFPT_ERROR the switch sent; nothing changes.
            let flowsBeforeErrors = try flowLines()
            for (command, argument, code) in [("add-flow", "table=20,priority=1,actions=drop", "OFPFMFC_BAD_TABLE_ID"),
                                              ("add-flow", "table=2,priority=1,actions=output:99", "OFPBAC_BAD_OUT_PORT"),
                                              ("add-flow", "table=2,priority=1,actions=group:77", "OFPBAC_BAD_OUT_GROUP"),
                                              ("add-flow", "table=0,priority=1,actions=goto_table:30", "OFPBIC_BAD_TABLE_ID"),
                                              ("add-group", "group_id=1,type=all,bucket=output:2", "OFPGMFC_GROUP_EXISTS")] {
                let r = try lab.ofctl(command, sw, [argument])
                #expect(r.status != 0, "\(command) \(argument) must fail")
                #expect(r.stderr.contains("OFPT_ERROR (OF1.3)") && r.stderr.contains(code), "\(command) \(argument): expected the switch's \(code):\n\(r.stderr)")
            }
            #expect(try flowLines() == flowsBeforeErrors, "the refused flow-mods changed nothing; dump-flows still works")
            #expect(try ofctl("dump-groups").contains("group_id=1,type=all,bucket=actions=output:1,bucket=actions=output:2"))
            #expect(sw.process.background.isRunning)

            // The capture: everything the switch sent decodes as OpenFlow 1.3.
            try capture.stop()
            let session = try OpenFlowSessionCheck(lab, capture: capture, side: .listensOn(sw.port))
            let switchTypeNames = session.switchTypes.sorted().map { OFTypeName.name($0) }
            print("ovs-ofctl session: \(session.switchMessages.count) messages from the switch in \(Set(session.messages.map(\.stream)).count) connections, types \(switchTypeNames), multipart replies \(session.switchMultipartReplyTypes.sorted())")
            for note in session.truncatedEchoes {
                print("tshark 4.0 marks an ERROR echoing the first 64 bytes of a longer request as malformed (verified byte-exact): \(note)")
            }
            #expect(session.problems.isEmpty, "the switch's messages as tshark decodes them:\n\(session.problems.joined(separator: "\n"))")
            #expect(session.switchTypes.isSuperset(of: [0, 1, 6, 8, 19, 21]),
                    "HELLO, ERROR, FEATURES_REPLY, GET_CONFIG_REPLY, MULTIPART_REPLY, BARRIER_REPLY all seen; got \(switchTypeNames)")
            #expect(session.switchMultipartReplyTypes.isSuperset(of: [1, 2, 3, 4, 6, 7, 13]),
                    "flow, aggregate, table, port, group, group-desc and port-desc replies seen; got \(session.switchMultipartReplyTypes.sorted())")
            for stream in Set(session.messages.map(\.stream)) {
                let fromSwitch = session.messages.filter { $0.stream == stream && $0.fromSwitch }.map(\.message)
                #expect(fromSwitch.first?.type == 0, "connection \(stream) starts with the switch's HELLO: \(fromSwitch.prefix(2))")
                // ovs-ofctl follows each mod with a barrier: the session outlives the error.
                if let error = fromSwitch.firstIndex(where: { $0.type == 1 }) {
                    #expect(fromSwitch[error...].contains { $0.type == 21 }, "a BARRIER_REPLY follows the ERROR in connection \(stream): \(fromSwitch)")
                }
            }
            #expect(session.switchMessages.filter { $0.type == 1 }.count == 5, "one ERROR per refused request: \(session.switchMessages.filter { $0.type == 1 })")
        }

        /// Test 2 (active side): the switch connects to a controller (python3) that sends HELLO,
        /// FEATURES_REQUEST, a FLOW_MOD into table 20, ECHO_REQUEST, DESC and PORT_DESC requests
        /// and a BARRIER_REQUEST; each answer is checked field by field, and the captured
        /// session decodes in tshark as valid OpenFlow 1.3.
        @Test func switchConnectsToAControllerAndItsAnswersDecodeCleanly() throws {
            guard integrationGate(tools: ["ip", "timeout"] + openFlowTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let script = try OFWire.install(lab)
            let flowMod = OFBytes.flowModAdd(xid: 3, table: 20)
            let requests = OFBytes.featuresRequest(xid: 2) + flowMod + OFBytes.echoRequest(xid: 4, payload: Array("swiftsdn".utf8))
                + OFBytes.multipartRequest(xid: 5, type: 0) + OFBytes.multipartRequest(xid: 6, type: 13) + OFBytes.barrierRequest(xid: 7)
            let controller = try lab.spawn("controller", "python3", [script, "listen", "0",
                                                                     OFWire.Step(send: OFBytes.hello(xid: 1), seconds: 0.5).argument,
                                                                     OFWire.Step(send: requests, seconds: 1.5).argument])
            try #require(Lab.poll(seconds: 10) { controller.stdout.hasPrefix("listening ") || !controller.isRunning },
                         "the controller did not start: \(controller.stderr)")
            let controllerPort = try #require(OfctlText.number(after: "listening ", in: controller.stdout), "controller said: \(controller.stdout)")
            let capture = try LoopbackCapture(lab, port: controllerPort, file: "controller.pcap")
            let (config, tap) = try lab.writeOneTapSwitch(datapathID: "0x2a", controller: "tcp:127.0.0.1:\(controllerPort)")
            let sw = try lab.startOpenFlowSwitch(config: config)

            try #require(controller.waitForExit(seconds: 25) == 0, "controller: \(controller.stderr)\n\(controller.stdout)")
            let steps = try OFWire.results(controller.stdout)
            try #require(steps.count == 2)
            let all = steps.flatMap(\.messages)
            print("controller received: \(all)")
            #expect(all.first?.type == 0 && all.first?.version == 4, "the switch opens with an OpenFlow 1.3 HELLO: \(all.prefix(1))")
            #expect(all.allSatisfy { $0.version == 4 })
            func reply(_ xid: UInt32) -> WireMessage? { all.first { $0.xid == xid && $0.type != 0 } }

            let features = try #require(reply(2), "no FEATURES_REPLY")
            #expect(features.type == 6 && features.length == 32, "\(features)")
            #expect(features.bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) } == 0x2a, "datapath id 0x2a: \(OFBytes.hex(features.bytes))")
            #expect(features.bytes[20] == 16, "n_tables 16: \(OFBytes.hex(features.bytes))")
            let error = try #require(reply(3), "no ERROR for the FLOW_MOD into table 20")
            #expect(error.type == 1 && error.errorType == 5 && error.errorCode == 2, "OFPET_FLOW_MOD_FAILED/OFPFMFC_BAD_TABLE_ID: \(OFBytes.hex(error.bytes))")
            #expect(Array(error.errorData) == flowMod, "the ERROR echoes the whole 56-byte FLOW_MOD")
            let echo = try #require(reply(4), "no ECHO_REPLY")
            #expect(echo.type == 3 && Array(echo.body) == Array("swiftsdn".utf8), "ECHO_REPLY returns the payload: \(OFBytes.hex(echo.bytes))")
            let desc = try #require(reply(5), "no DESC reply")
            #expect(desc.type == 19 && desc.multipartType == 0 && desc.length == 16 + 1056, "OFPMP_DESC reply: \(desc)")
            let ports = try #require(reply(6), "no PORT_DESC reply")
            #expect(ports.type == 19 && ports.multipartType == 13 && ports.length == 16 + 64, "OFPMP_PORT_DESC reply with one port: \(ports)")
            if ports.length >= 48 {
                let name = String(decoding: ports.bytes[32..<48].prefix { $0 != 0 }, as: UTF8.self)
                #expect(name == tap, "port 1 is named \(tap): \(name)")
            }
            let barrier = try #require(reply(7), "no BARRIER_REPLY")
            #expect(barrier.type == 21)
            if let b = all.firstIndex(where: { $0.xid == 7 }) {
                #expect(Set(all[..<b].map(\.xid)).isSuperset(of: [2, 3, 4, 5, 6]), "every earlier request is answered before the barrier reply")
            }
            #expect(sw.process.background.isRunning)

            try capture.stop()
            let session = try OpenFlowSessionCheck(lab, capture: capture, side: .connectsTo(controllerPort))
            print("controller session: \(session.switchMessages)")
            #expect(session.problems.isEmpty, "the switch's messages as tshark decodes them:\n\(session.problems.joined(separator: "\n"))")
            #expect(session.truncatedEchoes.isEmpty, "nothing here needs excusing: \(session.truncatedEchoes.joined(separator: "; "))")
            #expect(session.switchTypes.isSuperset(of: [0, 1, 3, 6, 19, 21]),
                    "HELLO, ERROR, ECHO_REPLY, FEATURES_REPLY, MULTIPART_REPLY, BARRIER_REPLY seen; got \(session.switchTypes.sorted().map { OFTypeName.name($0) })")
            #expect(session.switchMultipartReplyTypes.isSuperset(of: [0, 13]))
        }

        /// Test 3: garbage on the listener. A version-1 message gets an OFPT_ERROR
        /// (BAD_REQUEST/BAD_VERSION) echoing it and the connection stays up (an unknown type gets
        /// BAD_TYPE, a following ECHO_REQUEST its reply); a length below 8 makes the switch
        /// close that connection, and the switch keeps serving new ones.
        @Test func garbageOnTheWireGetsErrorsOrAClosedConnectionAndTheSwitchSurvives() throws {
            guard integrationGate(tools: ["ip", "timeout"] + openFlowTools) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let (config, tap) = try lab.writeOneTapSwitch(datapathID: "0x3")
            let sw = try lab.startOpenFlowSwitch(config: config)

            let version1 = OFBytes.message(version: 1, type: 5, xid: 0x1234)           // OF1.0 FEATURES_REQUEST
            let unknownType = OFBytes.message(type: 200, xid: 0x2222)
            let echo = OFBytes.echoRequest(xid: 0x5678, payload: Array("alive?".utf8))
            let raw = try lab.ofwire(connectTo: sw.port, [
                .init(send: OFBytes.hello(xid: 1), seconds: 0.4),
                .init(send: version1, seconds: 0.6),
                .init(send: unknownType, seconds: 0.6),
                .init(send: echo, seconds: 0.6),
            ])
            try #require(raw.count == 4)
            // PORT_STATUS, PACKET_IN and FLOW_REMOVED may arrive at any time; the replies are the rest.
            let asynchronous: Set<UInt8> = [10, 11, 12]
            let steps = raw.map { OFWire.StepResult(messages: $0.messages.filter { !asynchronous.contains($0.type) }, closed: $0.closed) }
            #expect(steps[0].messages.first?.type == 0, "the switch says HELLO: \(steps[0].messages)")

            let e1 = try #require(steps[1].messages.first, "no answer to a version-1 message")
            #expect(steps[1].messages.count == 1 && e1.version == 4 && e1.type == 1 && e1.xid == 0x1234, "one OFPT_ERROR with the request's xid: \(steps[1].messages)")
            #expect((e1.errorType == 1 && e1.errorCode == 0) || e1.errorType == 0, "BAD_REQUEST/BAD_VERSION (or HELLO_FAILED): \(OFBytes.hex(e1.bytes))")
            #expect(Array(e1.errorData) == version1, "the error echoes the offending message: \(OFBytes.hex(e1.bytes))")
            #expect(!steps[1].closed, "a bad version does not cost the connection")

            let e2 = try #require(steps[2].messages.first, "no answer to an unknown message type")
            #expect(e2.type == 1 && e2.errorType == 1 && e2.errorCode == 1 && e2.xid == 0x2222, "BAD_REQUEST/BAD_TYPE: \(OFBytes.hex(e2.bytes))")
            #expect(Array(e2.errorData) == unknownType)

            let reply = try #require(steps[3].messages.first, "no ECHO_REPLY after the errors")
            #expect(reply.type == 3 && reply.xid == 0x5678 && Array(reply.body) == Array("alive?".utf8), "ECHO_REPLY: \(OFBytes.hex(reply.bytes))")
            #expect(!steps[3].closed, "the connection is still up")

            // A length field of 4 cannot be framed: the switch says BAD_LEN, with the xid, and
            // closes the connection without reading on, so a valid ECHO_REQUEST behind it gets
            // no reply.
            let badLength = OFBytes.message(type: 2, xid: 0x9ABC, length: 4)
            let closing = try lab.ofwire(connectTo: sw.port, [
                .init(send: [], seconds: 0.4),
                .init(send: OFBytes.hello(xid: 1) + badLength + OFBytes.echoRequest(xid: 0x7777, payload: []), seconds: 3),
            ])
            try #require(closing.count == 2)
            #expect(closing[1].closed, "the switch closes a connection whose length field is 4: \(closing[1].messages)")
            #expect(!closing[1].messages.contains { $0.type == 3 }, "the ECHO_REQUEST behind the bad length is not answered: \(closing[1].messages)")
            let errors = closing[1].messages.filter { $0.type == 1 }
            #expect(errors.count == 1 && errors.allSatisfy { $0.errorType == 1 && $0.errorCode == 6 && $0.xid == 0x9ABC },
                    "one BAD_REQUEST/BAD_LEN with the xid before closing: \(closing[1].messages.map { OFBytes.hex($0.bytes) })")

            // The switch still runs and serves a new session.
            #expect(sw.process.background.isRunning, "vswitchd survived: \(sw.process.background.stderr)")
            let show = try lab.ofctl("show", sw)
            #expect(show.status == 0 && show.stdout.contains(" 1(\(tap)): addr:"), "ovs-ofctl show after the garbage: \(show.stdout)\(show.stderr)")
        }
    }
}
