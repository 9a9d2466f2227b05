import FlowRules
import Glibc
import NIOCore
import NIOPosix
import OpenFlow
import Packet

/// The switch's OpenFlow 1.3 side: active connections to controllers (`tcp:IP:PORT`, with
/// reconnect backoff and echo keepalive) and a passive listener (`ptcp:PORT[:IP]`) for tools
/// such as ovs-ofctl. Requests run against the `VirtualSwitch`; PACKET_IN, FLOW_REMOVED and
/// PORT_STATUS go out to the connections whose role and async configuration want them.
public final class OpenFlowAgent: @unchecked Sendable {
    public struct Target: Hashable, Sendable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) { self.host = host; self.port = port }

        /// Parses `tcp:IP[:PORT]` (active) or `ptcp:PORT[:IP]` (passive).
        public static func parse(_ text: String, passive: Bool) -> Target? {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let scheme = parts.first, scheme == (passive ? "ptcp" : "tcp") else { return nil }
            if passive {
                guard parts.count >= 2, let port = Int(parts[1]) else { return nil }
                return Target(host: parts.count >= 3 ? parts[2...].joined(separator: ":") : "127.0.0.1", port: port)
            }
            guard parts.count >= 2 else { return nil }
            let port = parts.count >= 3 ? Int(parts[parts.count - 1]) ?? -1 : Int(OFP.tcpPort)
            guard port > 0 else { return nil }
            return Target(host: parts.count >= 3 ? parts[1..<(parts.count - 1)].joined(separator: ":") : parts[1], port: port)
        }
    }

    public let sw: VirtualSwitch
    let group: MultiThreadedEventLoopGroup
    let controllers: [Target]
    let listen: Target?
    let state = Protected(AgentState())
    /// Echo keepalive: a probe after this much silence; the connection closes after 3 unanswered.
    public static let inactivityProbe: TimeAmount = .seconds(5)
    static let maxBackoff: Int64 = 8

    struct AgentState {
        var connections: [ObjectIdentifier: AgentConnection] = [:]
        var running = false
        var listener: Channel?
        var maxGenerationID: UInt64?
        var config = OFSwitchConfig()
    }

    public init(switch sw: VirtualSwitch, controllers: [Target], listen: Target?) {
        self.sw = sw
        self.controllers = controllers
        self.listen = listen
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Binds the listener (if any) and starts connecting to the controllers.
    public func start() throws {
        state.withLock { $0.running = true }
        sw.datapath.packetInHandler = { [weak self] event in self?.packetIn(event) }
        sw.flowRemovedHandler = { [weak self] entry, reason in self?.flowRemoved(entry, reason) }
        sw.portStatusHandler = { [weak self] port in self?.portStatus(port, reason: .modify) }
        if let listen {
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.pipeline.addHandler(AgentConnection(agent: self, isController: false))
                }
                .bind(host: listen.host, port: listen.port).wait()
            state.withLock { $0.listener = channel }
        }
        for target in controllers { connect(target, backoff: 1) }
    }

    public func stop() {
        let (listener, connections) = state.withLock { s -> (Channel?, [AgentConnection]) in
            s.running = false
            return (s.listener, Array(s.connections.values))
        }
        sw.datapath.packetInHandler = nil
        try? listener?.close().wait()
        for c in connections { c.close() }
        try? group.syncShutdownGracefully()
    }

    /// The port the listener is bound to (useful with port 0).
    public var listeningPort: Int? { state.withLock { $0.listener?.localAddress?.port } }

    func connect(_ target: Target, backoff: Int64) {
        guard state.withLock({ $0.running }) else { return }
        let handler = AgentConnection(agent: self, isController: true)
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(3))
            .channelInitializer { channel in channel.pipeline.addHandler(handler) }
            .connect(host: target.host, port: target.port)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    channel.closeFuture.whenComplete { [self] _ in
                        // Reconnect: 1 s after a connection that worked, else keep doubling to 8 s.
                        let next = handler.helloReceived ? 1 : min(backoff * 2, Self.maxBackoff)
                        group.next().scheduleTask(in: .seconds(handler.helloReceived ? 1 : backoff)) { [self] in
                            connect(target, backoff: next)
                        }
                    }
                case .failure:
                    group.next().scheduleTask(in: .seconds(backoff)) { [self] in
                        connect(target, backoff: min(backoff * 2, Self.maxBackoff))
                    }
                }
            }
    }

    func register(_ c: AgentConnection) {
        state.withLock { $0.connections[ObjectIdentifier(c)] = c }
    }

    func unregister(_ c: AgentConnection) {
        state.withLock { _ = $0.connections.removeValue(forKey: ObjectIdentifier(c)) }
        updateControllerPresence()
    }

    /// Fail mode follows whether any configured controller has a live session.
    func updateControllerPresence() {
        let connected = state.withLock { $0.connections.values.contains { $0.isController && $0.helloReceived } }
        sw.setControllerConnected(connected)
    }

    var connections: [AgentConnection] { state.withLock { Array($0.connections.values) } }

    // MARK: Asynchronous messages

    func packetIn(_ e: PacketInEvent) {
        var fields: [OXMField] = [.inPort(e.inPort.rawValue)]
        if e.metadata != 0 { fields.append(.metadata(e.metadata)) }
        if e.tunnelID != 0 { fields.append(.tunnelID(e.tunnelID)) }
        let reason = OFPacketInReason(rawValue: e.reason.rawValue)
        let match = OFMatch(fields)
        // A GSO frame from a TAP (up to 64 KiB) may not fit in one OpenFlow message: it goes out
        // cut to fit, its total_len saying how long it was, rather than not at all.
        let room = OFPacketIn.maxDataLength(match: match)
        let data = e.data.count > room ? Array(e.data[..<room]) : e.data
        let message = OFMessage.packetIn(OFPacketIn(totalLength: UInt16(clamping: e.totalLength), reason: reason,
                                                    tableID: e.tableID, cookie: e.cookie, match: match, data: data))
        for c in connections where c.wants(packetIn: reason.rawValue) { c.send(message) }
    }

    func flowRemoved(_ entry: FlowEntry, _ reason: FlowRemovedReason) {
        let age = MonotonicClock.nanoseconds() &- entry.installedAt
        let message = OFMessage.flowRemoved(OFFlowRemoved(
            cookie: entry.cookie, priority: entry.priority, reason: OFFlowRemovedReason(rawValue: reason.rawValue),
            tableID: entry.table, durationSec: UInt32(truncatingIfNeeded: age / 1_000_000_000),
            durationNsec: UInt32(age % 1_000_000_000), idleTimeout: entry.spec.idleTimeout,
            hardTimeout: entry.spec.hardTimeout, packetCount: entry.stats.packetCount,
            byteCount: entry.stats.byteCount, match: OFTranslation.ofMatch(entry.match)))
        for c in connections where c.wants(flowRemoved: reason.rawValue) { c.send(message) }
    }

    func portStatus(_ port: SwitchPort, reason: OFPortReason) {
        let message = OFMessage.portStatus(OFPortStatus(reason: reason, port: portDescription(port)))
        for c in connections where c.wants(portStatus: reason.rawValue) { c.send(message) }
    }

    // MARK: Descriptions

    func portDescription(_ port: SwitchPort) -> OFPortDescription {
        // A stable, locally administered address derived from the datapath id and port number.
        let dpid = sw.definition.datapathID
        let mac = MACAddress(rawValue: 0x0200_0000_0000 | (dpid & 0xFF) << 32 | UInt64(port.number.rawValue & 0xFFFF_FFFF))
        var state: OFPortState = []
        if !port.state.hasCarrier { state.insert(.linkDown) }
        if port.state.isLive { state.insert(.live) }
        return OFPortDescription(portNo: port.number.rawValue, hwAddr: mac, name: port.name,
                                 config: port.state.isAdminUp ? [] : .portDown, state: state,
                                 current: [.rate10GbFD, .copper], supported: [.rate10GbFD, .copper],
                                 currentSpeed: 10_000_000, maxSpeed: 10_000_000)
    }
}
