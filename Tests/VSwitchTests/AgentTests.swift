import FlowRules
import Foundation
import OpenFlow
import Packet
import Testing
@testable import VSwitch
#if canImport(Glibc)
import Glibc
#endif

/// A blocking OpenFlow 1.3 peer over a real TCP socket, for driving the switch agent.
final class OFPeer {
    let fd: Int32
    var framer = OFFramer()
    var nextXID: UInt32 = 100

    /// Connects to 127.0.0.1:`port` and completes the HELLO exchange.
    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        send(.hello(.openFlow13))
        _ = try receive { if case .hello = $0 { true } else { false } }
    }

    deinit { close(fd) }

    @discardableResult
    func send(_ message: OFMessage) -> UInt32 {
        nextXID += 1
        let bytes = try! message.encode(xid: nextXID)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return nextXID
    }

    struct Timeout: Error {}

    /// The next message `wanted` accepts (echo requests are answered on the way), within 20 s:
    /// the agent's echo requests keep the socket busy, so its timeout alone would not end a wait.
    func receive(_ wanted: (OFMessage) -> Bool) throws -> OFDecodedMessage {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            while let frame = try framer.nextMessage() {
                let decoded = try OFMessage.decode(frame)
                if case .echoRequest(let data) = decoded.message { send(.echoReply(data)); continue }
                if wanted(decoded.message) { return decoded }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Timeout() }
            framer.append(Array(chunk[0..<n]))
        }
        throw Timeout()
    }
}

@Suite struct AgentTests {
    static func agent(_ t: TestSwitch) throws -> (OpenFlowAgent, Int) {
        let agent = OpenFlowAgent(switch: t.sw, controllers: [], listen: OpenFlowAgent.Target(host: "127.0.0.1", port: 0))
        try agent.start()
        return (agent, try #require(agent.listeningPort))
    }

    static let flow = OFFlowMod(cookie: 0x77, tableID: 0, command: .add, priority: 10, match: OFMatch([.inPort(1)]),
                                instructions: [.applyActions([.output(port: 2)])])

    /// Sends `message` then a barrier; returns the ERROR that came before the barrier reply, if any.
    static func errorBeforeBarrier(_ peer: OFPeer, _ message: OFMessage) throws -> OFErrorMessage? {
        peer.send(message)
        peer.send(.barrierRequest)
        var error: OFErrorMessage?
        _ = try peer.receive { m in
            if case .error(let e) = m { error = e; return false }
            if case .barrierReply = m { return true }
            return false
        }
        return error
    }

    /// Spec §6.3.6: a new master turns the old one into a slave, a slave may not change the
    /// switch (OFPBRC_IS_SLAVE), and a master/slave request with an older generation id than
    /// the newest seen is refused as stale.
    @Test func rolesAndGenerationIDs() throws {
        let t = try TestSwitch(ports: [1, 2])
        let (agent, port) = try Self.agent(t)
        defer { agent.stop() }
        let a = try OFPeer(port: port), b = try OFPeer(port: port)

        a.send(.roleRequest(OFRoleMessage(role: .master, generationID: 1)))
        let aReply = try a.receive { if case .roleReply = $0 { true } else { false } }
        #expect(aReply.message == .roleReply(OFRoleMessage(role: .master, generationID: 1)))
        b.send(.roleRequest(OFRoleMessage(role: .master, generationID: 2)))
        let bReply = try b.receive { if case .roleReply = $0 { true } else { false } }
        #expect(bReply.message == .roleReply(OFRoleMessage(role: .master, generationID: 2)))

        // a was demoted: its flow-mod is refused and changes nothing.
        let refused = try Self.errorBeforeBarrier(a, .flowMod(Self.flow))
        #expect(refused?.code == .badRequest(.isSlave), "\(String(describing: refused))")
        #expect(t.sw.flows().isEmpty)
        // b, the master, may.
        #expect(try Self.errorBeforeBarrier(b, .flowMod(Self.flow)) == nil)
        #expect(t.sw.flows().map(\.cookie) == [0x77])

        // A stale generation (1 < 2) is refused; EQUAL ignores generation ids.
        a.send(.roleRequest(OFRoleMessage(role: .master, generationID: 1)))
        let stale = try a.receive { if case .error = $0 { true } else if case .roleReply = $0 { true } else { false } }
        guard case .error(let e) = stale.message else { Issue.record("stale request answered \(stale.message)"); return }
        #expect(e.code == .roleRequestFailed(.stale))
        a.send(.roleRequest(OFRoleMessage(role: .equal, generationID: 0)))
        let equal = try a.receive { if case .roleReply = $0 { true } else { false } }
        #expect(equal.message == .roleReply(OFRoleMessage(role: .equal, generationID: 2)))
        #expect(try Self.errorBeforeBarrier(a, .flowMod(OFFlowMod(cookie: 0x78, tableID: 0, command: .add, priority: 11,
                                                                  match: OFMatch([.inPort(2)]),
                                                                  instructions: [.applyActions([.output(port: 1)])]))) == nil)
        #expect(t.sw.flows().count == 2)
    }

    /// A PACKET_IN goes out with the whole frame when it fits in an OpenFlow message. A GSO
    /// frame from a TAP can be longer than that allows (65,535 bytes in all): it goes out cut
    /// to fit, with total_len saying how long it was, instead of being lost.
    @Test func aFrameTooLongForOnePacketInGoesOutCut() throws {
        let t = try TestSwitch(ports: [1, 2], flows: [.on(1, [.output(.controller)])], bufferSize: PacketBufferPool.defaultBufferSize)
        let (agent, port) = try Self.agent(t)
        defer { agent.stop() }
        let peer = try OFPeer(port: port)
        // The agent sends PACKET_INs once it has our HELLO: a barrier's reply says it has.
        peer.send(.barrierRequest)
        _ = try peer.receive { if case .barrierReply = $0 { true } else { false } }
        func frame(_ length: Int) -> [UInt8] {
            var ip = IPv4Packet(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2), protocol: 17, payload: [])
            let payload = (0..<(length - 14 - 20 - 8)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            ip.payload = UDPDatagram(sourcePort: 1000, destinationPort: 2000, payload: payload).bytes(ip.pseudoHeader)
            return EthernetFrame(destination: Frames.mac(2), source: Frames.mac(1), etherType: EtherType.ipv4, payload: ip.bytes()).bytes()
        }
        for length in [1_000, 65_520] {
            let sent = frame(length)
            #expect(sent.count == length)
            t.inject(sent, on: 1)
            let m = try peer.receive { if case .packetIn = $0 { true } else { false } }
            guard case .packetIn(let p) = m.message else { Issue.record("not a PACKET_IN: \(m.message)"); continue }
            #expect(p.totalLength == UInt16(length))
            #expect(p.match[.inPort]?.value.low == 1)
            // 65,535 less the header and fixed fields (24), the match (16) and the pad (2).
            let expected = length <= 65_493 ? length : 65_493
            #expect(OFPacketIn.maxDataLength(match: p.match) == 65_493)
            #expect(p.data == Array(sent[..<expected]), "\(length)-byte frame: \(p.data.count) bytes came")
        }
    }

    /// Reconnect backoff (issue 4): a controller that accepts and closes before any HELLO is
    /// retried after 1, 2, 4 s (doubling, at most 8). Only lower bounds are checked: a loaded
    /// machine can only make the gaps longer.
    @Test func reconnectBacksOffByDoubling() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { p in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                guard bind(listener, s, length) == 0, listen(listener, 8) == 0, getsockname(listener, s, &length) == 0 else {
                    throw POSIXError(.EADDRINUSE)
                }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        let t = try TestSwitch(ports: [1, 2])
        let agent = OpenFlowAgent(switch: t.sw, controllers: [OpenFlowAgent.Target(host: "127.0.0.1", port: port)], listen: nil)
        try agent.start()
        defer { agent.stop() }
        var accepted: [Date] = []
        for _ in 0..<4 {
            let fd = accept(listener, nil, nil)
            try #require(fd >= 0, "the agent reconnected (accept: errno \(errno))")
            accepted.append(Date())
            close(fd)  // before any HELLO: the connection never worked
        }
        let gaps = zip(accepted.dropFirst(), accepted).map { $0.timeIntervalSince($1) }
        for (gap, expected) in zip(gaps, [1.0, 2.0, 4.0]) {
            #expect(gap >= expected - 0.05, "gaps \(gaps): expected at least \(expected) s")
        }
    }
}

@Suite struct GroupCounterTests {
    /// Group and bucket counters count what goes through them (spec §7.3.5.9), survive a
    /// flow-mod, are kept by a modify with the same buckets, and reach the wire in the
    /// multipart GROUP reply with a duration.
    @Test func groupAndBucketCountersCountAndReachTheWire() throws {
        let t = try TestSwitch(ports: [1, 2, 3])
        try t.sw.groupMod(.add, GroupEntry(id: 1, kind: .all, buckets: [
            .init(actions: [.output(PortNumber(2))]), .init(actions: [.output(PortNumber(3))]),
        ]))
        try t.sw.groupMod(.add, GroupEntry(id: 2, kind: .select, buckets: [
            .init(weight: 1, actions: [.output(PortNumber(2))]), .init(weight: 1, actions: [.output(PortNumber(3))]),
        ]))
        try t.sw.addFlow(.on(1, [.group(1)]))
        try t.sw.addFlow(.on(2, [.group(2)]))
        let frame = Frames.udp()
        for _ in 0..<3 { #expect(t.inject(frame, on: 1).keys.sorted() == [2, 3]) }
        // Different flows spread over the select group's buckets; each takes exactly one.
        for i in 0..<20 { #expect(t.inject(Frames.udp(sport: UInt16(3000 + i)), on: 2).count <= 1) }
        try t.sw.addFlow(.on(3, [.output(PortNumber(1))]))  // a flow-mod: counters stay

        let all = try #require(t.sw.snapshot.groupCounters[1])
        #expect(all.total.packetCount == 3 && all.total.byteCount == UInt64(3 * frame.count))
        #expect(all.buckets.map(\.packetCount) == [3, 3])
        let select = try #require(t.sw.snapshot.groupCounters[2])
        #expect(select.buckets.map(\.packetCount).reduce(0, +) == select.total.packetCount)

        try t.sw.groupMod(.modify, GroupEntry(id: 1, kind: .all, buckets: [
            .init(actions: [.output(PortNumber(3))]), .init(actions: [.output(PortNumber(2))]),
        ]))
        #expect(t.sw.snapshot.groupCounters[1]?.total.packetCount == 3, "same bucket count: kept")

        let (agent, port) = try AgentTests.agent(t)
        defer { agent.stop() }
        let peer = try OFPeer(port: port)
        peer.send(.multipartRequest(OFMultipartRequest(.group(groupID: 1))))
        let reply = try peer.receive { if case .multipartReply = $0 { true } else { false } }
        guard case .multipartReply(let r) = reply.message, case .group(let stats) = r.body, let g = stats.first else {
            Issue.record("no group stats: \(reply.message)"); return
        }
        #expect(g.groupID == 1 && g.refCount == 1 && g.packetCount == 3 && g.byteCount == UInt64(3 * frame.count))
        #expect(g.bucketStats.map(\.packetCount) == [3, 3])
    }
}
