import OpenFlow
import Packet

/// Link discovery with LLDP: every interval each switch sends an LLDP frame out of each of its
/// ports (PACKET_OUT) naming itself ("dpid:<16 hex>") and the port; a switch that receives one
/// sends it up (PACKET_IN, by the intended flow eth_type=0x88cc → CONTROLLER), and that is a
/// link from the sender's port to the receiver's. Links not seen again within
/// `ageFactor` × interval age out.
public final class LLDPDiscoveryApp: ControllerApp {
    /// Cookie of the flow that sends LLDP to the controller ("LLDP").
    public static let puntCookie: UInt64 = 0x4C4C_4450_0000_0000
    public static let chassisPrefix = "dpid:"

    /// One side of a link: a switch's port.
    public struct LinkEnd: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var datapathID: UInt64
        public var port: UInt32

        public init(datapathID: UInt64, port: UInt32) { self.datapathID = datapathID; self.port = port }

        public static func < (a: LinkEnd, b: LinkEnd) -> Bool { (a.datapathID, a.port) < (b.datapathID, b.port) }
        public var description: String { "\(formatDatapathID(datapathID)):\(port)" }
    }

    /// A link as seen in one direction: frames sent out of `source` arrive at `destination`.
    public struct Link: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var source: LinkEnd
        public var destination: LinkEnd

        public init(source: LinkEnd, destination: LinkEnd) { self.source = source; self.destination = destination }

        public static func < (a: Link, b: Link) -> Bool { (a.source, a.destination) < (b.source, b.destination) }
        public var description: String { "\(source) -> \(destination)" }
    }

    public struct Configuration: Sendable {
        public var interval: Duration
        /// Links age out after this many intervals without an LLDP frame.
        public var ageFactor: Int
        /// TTL TLV of the frames sent (seconds).
        public var ttl: UInt16
        public var tableID: UInt8
        public var priority: UInt16

        public init(interval: Duration = .seconds(5), ageFactor: Int = 3, ttl: UInt16 = 120, tableID: UInt8 = 0,
                    priority: UInt16 = 65535) {
            self.interval = interval; self.ageFactor = ageFactor; self.ttl = ttl; self.tableID = tableID
            self.priority = priority
        }
    }

    struct State {
        var links: [Link: ContinuousClock.Instant] = [:]
        var timer: Task<Void, Never>?
        var probesSent = 0
    }

    public let name = "lldp"
    public let configuration: Configuration
    let state = Locked(State())

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    public convenience init(interval: Duration) { self.init(configuration: .init(interval: interval)) }

    /// How long a link lives without being seen again.
    public var maxAge: Duration { configuration.interval * configuration.ageFactor }

    // MARK: Links

    /// The links currently known, sorted.
    public var links: [Link] { state.withLock { $0.links.keys.sorted() } }

    /// When the link's last LLDP frame arrived.
    public func lastSeen(_ link: Link) -> ContinuousClock.Instant? { state.withLock { $0.links[link] } }

    /// LLDP frames sent so far.
    public var probesSent: Int { state.withLock { $0.probesSent } }

    /// Drops links not seen since `now - maxAge`; returns them.
    @discardableResult
    public func expireLinks(now: ContinuousClock.Instant = .now, log: ControllerLog? = nil) -> [Link] {
        let limit = maxAge
        let expired = state.withLock { s -> [Link] in
            let old = s.links.filter { now - $0.value > limit }.map(\.key)
            for link in old { s.links.removeValue(forKey: link) }
            return old.sorted()
        }
        for link in expired { log?("lldp: link \(link) expired") }
        return expired
    }

    /// Records a link seen now (what a PACKET_IN of an LLDP frame does). True when it is new.
    @discardableResult
    public func learn(_ link: Link, at time: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { $0.links.updateValue(time, forKey: link) == nil }
    }

    // MARK: ControllerApp

    public func intendedFlows(datapathID: UInt64) -> [OFFlowMod] {
        [OFFlowMod(cookie: Self.puntCookie, tableID: configuration.tableID, priority: configuration.priority,
                   match: OFMatch([.ethType(EtherType.lldp)]),
                   instructions: [.applyActions([.output(port: OFPortNumber.controller, maxLength: OFP.controllerNoBuffer)])])]
    }

    public func start(controller: Controller) {
        let interval = configuration.interval
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !Task.isCancelled else { return }
                self.expireLinks(log: controller.log)
                for session in controller.sessions { self.probe(session, log: controller.log) }
            }
        }
        state.withLock { s in
            s.timer?.cancel()
            s.timer = task
        }
    }

    public func stop() {
        state.withLock { s in
            s.timer?.cancel()
            s.timer = nil
        }
    }

    public func handle(_ event: ControllerEvent, controller: Controller) async {
        switch event {
        case .switchConnected(let session):
            probe(session, log: controller.log)
        case .packetIn(let session, let packetIn):
            guard let dpid = session.datapathID, let inPort = packetIn.match[.inPort],
                  let source = Self.parseProbe(packetIn.data) else { return }
            let link = Link(source: source, destination: LinkEnd(datapathID: dpid, port: UInt32(truncatingIfNeeded: inPort.value.low)))
            guard link.source != link.destination else { return }
            if learn(link) { controller.log("lldp: link \(link) discovered") }
        case .switchDisconnected(let dpid):
            drop(controller.log) { $0.datapathID == dpid }
        case .portStatus(let session, let status):
            guard let dpid = session.datapathID, status.reason == .delete || !SwitchSession.isUp(status.port) else { return }
            let port = status.port.portNo
            drop(controller.log) { $0.datapathID == dpid && $0.port == port }
        default:
            break
        }
    }

    // MARK: Probes

    /// Sends an LLDP frame out of every usable port of the switch.
    public func probe(_ session: SwitchSession, log: ControllerLog? = nil) {
        guard let dpid = session.datapathID else { return }
        var sent = 0
        for port in session.ports where port.portNo <= OFPortNumber.max && SwitchSession.isUp(port) {
            let frame = Self.probeFrame(datapathID: dpid, port: port.portNo, source: port.hwAddr, ttl: configuration.ttl)
            do {
                try session.send(.packetOut(OFPacketOut(inPort: OFPortNumber.controller,
                                                        actions: [.output(port: port.portNo, maxLength: 0)], data: frame)))
                sent += 1
            } catch {
                log?("lldp: \(session.name): cannot send LLDP out of port \(port.portNo): \(error)")
                break
            }
        }
        state.withLock { $0.probesSent += sent }
    }

    /// The LLDP frame a switch sends out of a port: chassis id "dpid:<16 hex>" and port id the
    /// port number, both locally assigned (subtype 7), to the nearest-bridge group address.
    public static func probeFrame(datapathID: UInt64, port: UInt32, source: MACAddress, ttl: UInt16 = 120) -> [UInt8] {
        let hex = String(datapathID, radix: 16)
        let chassis = chassisPrefix + String(repeating: "0", count: 16 - hex.count) + hex
        let lldp = LLDPDU(chassisIDSubtype: LLDPDU.ChassisIDSubtype.local, chassisID: Array(chassis.utf8),
                          portIDSubtype: LLDPDU.PortIDSubtype.local, portID: Array(String(port).utf8), ttl: ttl)
        return EthernetFrame(destination: LLDPDU.destination, source: source, etherType: EtherType.lldp,
                             payload: lldp.bytes()).bytes(minimumLength: 60)
    }

    /// The switch port that sent `frame`, when it is one of our probes.
    public static func parseProbe(_ frame: [UInt8]) -> LinkEnd? {
        frame.withUnsafeBytes { bytes -> LinkEnd? in
            let parsed = FlowKey.extract(from: bytes, inPort: 0)
            guard parsed.key.ethType == EtherType.lldp, parsed.layout.l3Offset >= 0 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: bytes[Int(parsed.layout.l3Offset)...])
            guard let lldp = try? LLDPDU(body),
                  lldp.chassisIDSubtype == LLDPDU.ChassisIDSubtype.local, lldp.portIDSubtype == LLDPDU.PortIDSubtype.local
            else { return nil }
            let chassis = lldp.chassisIDText
            guard chassis.hasPrefix(chassisPrefix), let dpid = UInt64(chassis.dropFirst(chassisPrefix.count), radix: 16),
                  let port = UInt32(lldp.portIDText)
            else { return nil }
            return LinkEnd(datapathID: dpid, port: port)
        }
    }

    func drop(_ log: ControllerLog, where predicate: (LinkEnd) -> Bool) {
        let dropped = state.withLock { s -> [Link] in
            let gone = s.links.keys.filter { predicate($0.source) || predicate($0.destination) }
            for link in gone { s.links.removeValue(forKey: link) }
            return gone.sorted()
        }
        for link in dropped { log("lldp: link \(link) removed") }
    }
}
