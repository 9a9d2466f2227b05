import Controller
import Foundation
import OpenFlow
import Packet
import Testing

@Suite("Switch sessions")
struct SessionTests {
    @Test("Handshake: HELLO, FEATURES → datapath id, SET_CONFIG miss_send_len 0xffff, PORT_DESC → ports")
    func handshake() async throws {
        let recorder = RecordingApp()
        let controller = try await startController(apps: [recorder], resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xA1, ports: [1, 2, OFPortNumber.local])
        let session = try await connect(fake, to: controller)

        #expect(session.datapathID == 0xA1)
        #expect(session.features?.nTables == 254)
        #expect(session.ports.map(\.portNo) == [1, 2, OFPortNumber.local])
        #expect(session.port(2)?.name == "p2")
        #expect(session.phase == .ready)
        #expect(controller.sessions.map(\.datapathID) == [0xA1])

        let received = fake.received
        guard case .hello(let hello)? = received.first else { Issue.record("first message \(received.first.map { "\($0.type)" } ?? "none")"); return }
        #expect(hello.offeredVersions.contains(OFP.version))
        #expect(received.contains(.featuresRequest))
        #expect(received.contains(.setConfig(OFSwitchConfig(flags: .fragNormal, missSendLength: 0xFFFF))))
        #expect(received.contains(.multipartRequest(OFMultipartRequest(.portDesc))))
        #expect(await eventually { recorder.events.value == ["connected 161"] })
    }

    @Test("PORT_STATUS add, modify and delete keep the port list current")
    func portStatus() async throws {
        let recorder = RecordingApp()
        let controller = try await startController(apps: [recorder], resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xA2, ports: [1, 2])
        let session = try await connect(fake, to: controller)

        fake.sendPortStatus(.add, FakeSwitch.port(3, datapathID: 0xA2))
        #expect(await eventually { session.ports.map(\.portNo) == [1, 2, 3] })

        fake.sendPortStatus(.modify, FakeSwitch.port(1, datapathID: 0xA2, config: .portDown, state: .linkDown))
        #expect(await eventually { session.port(1)?.config.contains(.portDown) == true })
        #expect(session.port(1).map(SwitchSession.isUp) == false)

        fake.sendPortStatus(.delete, FakeSwitch.port(2, datapathID: 0xA2))
        #expect(await eventually { session.ports.map(\.portNo) == [1, 3] })
        #expect(await eventually {
            recorder.events.value == ["connected 162", "portStatus 162 3", "portStatus 162 1", "portStatus 162 2"]
        })
        #expect(controller.counters.portStatusReceived == 3)
    }

    @Test("A push reports success only after the barrier reply")
    func pushWaitsForBarrier() async throws {
        let controller = try await startController(resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xB1)
        fake.behaviour.holdBarriers = true
        let session = try await connect(fake, to: controller)

        let flows = [forward(1, to: 2), forward(2, to: 1)]
        let finished = Box(false)
        let push = Task {
            defer { finished.value = true }
            return try await session.push(flowMods: flows)
        }
        #expect(await eventually { fake.heldBarriers == 1 })
        #expect(fake.flowMods == flows)
        // The switch has the flow-mods, but until it answers the barrier nothing is confirmed.
        try await Task.sleep(for: .milliseconds(200))
        #expect(finished.value == false)

        fake.releaseBarriers()
        let result = try await push.value
        #expect(result.succeeded)
        #expect(result.flowMods == flows)
        #expect(fake.flowSet == Set(flows.map(FlowEntry.init)))
        #expect(controller.counters.flowModsSent == 2)
        #expect(controller.counters.barriersSent == 1)

        // The barrier follows the flow-mods on the wire (echo keepalives may come in between
        // when the machine is slow enough for the test to outlast an echo interval).
        let types = fake.received.filter { if case .echoRequest = $0 { false } else { true } }.suffix(3).map(\.type)
        #expect(types == [.flowMod, .flowMod, .barrierRequest])
    }

    @Test("An ERROR for one flow-mod of a batch is reported with that flow-mod")
    func pushReportsErrors() async throws {
        let controller = try await startController(resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xB2)
        fake.behaviour.failFlowMod = { _, flow in flow.priority == 666 ? .flowModFailed(.tableFull) : nil }
        let session = try await connect(fake, to: controller)

        let bad = forward(3, to: 1, priority: 666)
        let flows = [forward(1, to: 2), bad, forward(2, to: 1)]
        let result = try await session.push(flowMods: flows)
        #expect(!result.succeeded)
        #expect(result.failures.count == 1)
        #expect(result.failures.first?.flowMod == bad)
        #expect(result.failures.first?.error.code == .flowModFailed(.tableFull))
        #expect(fake.flowSet == Set([flows[0], flows[2]].map(FlowEntry.init)))

        // The error's xid is the refused flow-mod's, not a neighbour's.
        let xids = fake.receivedWithXIDs.filter { $0.message.type == .flowMod }.map(\.xid)
        #expect(Set(xids).count == 3)
    }

    @Test("Multipart replies are collected until one without REPLY_MORE")
    func multipartCollected() async throws {
        let controller = try await startController(resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let installed = (1...5).map { forward(UInt32($0), to: 9) }
        let fake = FakeSwitch(datapathID: 0xB3, flows: installed)
        fake.behaviour.flowStatsPerReply = 2
        let session = try await connect(fake, to: controller)

        let replies = try await session.request(.multipartRequest(OFMultipartRequest(.flow(OFFlowStatsRequest()))))
        #expect(replies.count == 3)
        var entries: [OFFlowStats] = []
        for case .multipartReply(let reply) in replies {
            if case .flow(let list) = reply.body { entries += list }
        }
        #expect(Set(entries.map(FlowEntry.init)) == Set(installed.map(FlowEntry.init)))

        let barrier = try await session.request(.barrierRequest)
        #expect(barrier == [.barrierReply])
    }

    @Test("An ERROR answering a request fails it; a message without reply is refused")
    func requestErrors() async throws {
        let controller = try await startController(resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xB4)
        let session = try await connect(fake, to: controller)

        // The fake refuses table stats.
        do {
            _ = try await session.request(.multipartRequest(OFMultipartRequest(.table)))
            Issue.record("the request succeeded")
        } catch SwitchSessionError.switchError(let error) {
            #expect(error.code == .badRequest(.badMultipart))
        }
        await #expect(throws: SwitchSessionError.notARequest(.flowMod)) {
            _ = try await session.request(.flowMod(forward(1, to: 2)))
        }
    }

    @Test("Losing the connection fails pending requests and reports the disconnect")
    func connectionLoss() async throws {
        let recorder = RecordingApp()
        let controller = try await startController(apps: [recorder], resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xB5)
        fake.behaviour.holdBarriers = true
        let session = try await connect(fake, to: controller)

        let push = Task { try await session.push(flowMods: [forward(1, to: 2)]) }
        #expect(await eventually { fake.heldBarriers == 1 })
        fake.close()
        await #expect(throws: SwitchSessionError.connectionClosed) { _ = try await push.value }
        #expect(await eventually { controller.session(datapathID: 0xB5) == nil })
        #expect(session.phase == .closed)
        #expect(await eventually { recorder.events.value.last == "disconnected 181" })
        #expect(throws: SwitchSessionError.connectionClosed) { try session.send(.barrierRequest) }
    }

    @Test("Echo keepalive: a silent switch is closed after 3 unanswered echoes, an answering one stays")
    func echoKeepalive() async throws {
        let log = LogLines()
        let recorder = RecordingApp()
        let controller = try await startController(apps: [recorder], echoInterval: .milliseconds(100),
                                                   resyncOnConnect: false, log: log.log)
        defer { Task { await controller.shutdown() } }
        let silent = FakeSwitch(datapathID: 0xC1)
        let chatty = FakeSwitch(datapathID: 0xC2)
        try await connect(chatty, to: controller)
        silent.behaviour.answerEchoes = false
        // Not `connect(_:to:)`: the silent session is ready for only ~300 ms, a window a polling
        // wait can miss on a starved machine. The app's events record that it was ready.
        try silent.connect(port: try #require(controller.localPort))

        #expect(await eventually { silent.isClosed })
        #expect(await eventually { recorder.events.value.contains("disconnected 193") })
        #expect(recorder.events.value.filter { $0.hasSuffix(" 193") } == ["connected 193", "disconnected 193"])
        #expect(silent.echoRequests == 3)
        #expect(await eventually { controller.session(datapathID: 0xC1) == nil })
        #expect(log.contains("no reply to 3 echo requests"))

        #expect(!chatty.isClosed)
        #expect(chatty.echoRequests >= 1)
        #expect(controller.session(datapathID: 0xC2)?.isReady == true)
    }

    @Test("The switch's ECHO_REQUEST is answered with its data and xid")
    func answersEcho() async throws {
        let controller = try await startController(resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xC3)
        try await connect(fake, to: controller)
        fake.send(.echoRequest([1, 2, 3]), xid: 77)
        #expect(await eventually { fake.receivedWithXIDs.contains { $0.xid == 77 && $0.message == .echoReply([1, 2, 3]) } })
    }

    @Test("Messages sent from many threads at once all arrive, each sender's in the order it sent them")
    func concurrentSendsKeepOrder() async throws {
        let controller = try await startController(resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xC6)
        let session = try await connect(fake, to: controller)
        fake.clearReceived()

        // Sends are queued and flushed in bursts; a burst must neither drop, split nor reorder.
        let senders = 8, perSender = 300
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    for i in 0..<perSender {
                        _ = try? session.send(.packetOut(OFPacketOut(inPort: UInt32(sender + 1), actions: [.output(port: 1)],
                                                                     data: [UInt8(i >> 8), UInt8(i & 0xFF)])))
                    }
                }
            }
        }
        #expect(await eventually { fake.packetOuts.count == senders * perSender })
        for sender in 0..<senders {
            let sequence = fake.packetOuts.filter { $0.inPort == UInt32(sender + 1) }.map { Int($0.data[0]) << 8 | Int($0.data[1]) }
            #expect(sequence == Array(0..<perSender), "sender \(sender)")
        }
        #expect(session.counters.packetOutsSent == senders * perSender)
    }

    @Test("A HELLO without OpenFlow 1.3 gets HELLO_FAILED and the connection closes")
    func helloFailed() async throws {
        let controller = try await startController(resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xC4, behaviour: .init(helloVersions: [1, 2]))
        try fake.connect(port: try #require(controller.localPort))

        #expect(await eventually { fake.isClosed })
        let error = fake.received.compactMap { if case .error(let e) = $0 { e } else { nil } }.first
        #expect(error?.code == .helloFailed(.incompatible))
        #expect(!fake.received.contains(.featuresRequest))
        #expect(controller.session(datapathID: 0xC4) == nil)
    }

    @Test("An undecodable message is logged and skipped; the session stays up")
    func undecodableSkipped() async throws {
        let log = LogLines()
        let recorder = RecordingApp()
        let controller = try await startController(apps: [recorder], resyncOnConnect: false, log: log.log)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xC5)
        let session = try await connect(fake, to: controller)

        // Type 200 does not exist in 1.3: framed fine, not decodable.
        fake.sendRaw([0x04, 200, 0x00, 0x08, 0x00, 0x00, 0x00, 0x09])
        fake.sendPortStatus(.add, FakeSwitch.port(7, datapathID: 0xC5))
        #expect(await eventually { session.port(7) != nil })
        #expect(session.counters.decodeErrors == 1)
        #expect(session.isReady)
        #expect(log.contains("cannot decode"))
        #expect(!fake.received.contains { $0.type == .error })
    }

    @Test("A length that cannot be framed closes the connection")
    func framingErrorCloses() async throws {
        let log = LogLines()
        let controller = try await startController(resyncOnConnect: false, log: log.log)
        defer { Task { await controller.shutdown() } }
        let fake = FakeSwitch(datapathID: 0xC6)
        try await connect(fake, to: controller)
        fake.sendRaw([0x04, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01])
        #expect(await eventually { fake.isClosed })
        #expect(log.contains("unframeable OpenFlow length 4"))
    }

    @Test("A switch that reconnects replaces its previous session")
    func reconnectReplaces() async throws {
        let recorder = RecordingApp()
        let controller = try await startController(apps: [recorder], resyncOnConnect: false)
        defer { Task { await controller.shutdown() } }
        let first = FakeSwitch(datapathID: 0xC7)
        let s1 = try await connect(first, to: controller)
        let second = FakeSwitch(datapathID: 0xC7)
        try second.connect(port: try #require(controller.localPort))
        #expect(await eventually { controller.session(datapathID: 0xC7).map { $0 !== s1 } == true })
        #expect(await eventually { first.isClosed })
        #expect(await eventually { recorder.events.value.count == 2 })
        try await Task.sleep(for: .milliseconds(100))
        // The old connection's end is not the switch's disconnect: it is still connected.
        #expect(recorder.events.value == ["connected 199", "connected 199"])
        #expect(!second.isClosed)
    }
}
