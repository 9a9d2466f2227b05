import OpenFlow
import Packet

/// A reactive L2 learning switch, VLAN-aware: per (datapath, VLAN, source MAC) it learns the
/// ingress port from PACKET_IN; a frame to a known destination gets a flow (in_port, eth_src,
/// eth_dst, vlan_vid → output) and is sent on with PACKET_OUT; anything else is flooded.
///
/// Its flows carry cookies in `cookieSpace` ("LEAR" in the high 32 bits), which re-sync never
/// deletes: they are learned, not intended. The table-miss flow that sends misses up is
/// intended state, so re-sync keeps it in place.
public final class LearningSwitchApp: ControllerApp {
    /// Cookies of learned flows: 0x4C454152_xxxxxxxx.
    public static let cookieSpace = CookieSpace(value: 0x4C45_4152_0000_0000, mask: 0xFFFF_FFFF_0000_0000)
    /// Cookie of the table-miss flow ("MISS").
    public static let tableMissCookie: UInt64 = 0x4D49_5353_0000_0000

    public struct Configuration: Sendable {
        public var tableID: UInt8
        /// Priority of learned flows.
        public var priority: UInt16
        public var idleTimeout: UInt16
        public var hardTimeout: UInt16
        /// Learned addresses per switch; beyond it new addresses are flooded, not learned.
        public var maxMACsPerSwitch: Int
        /// Install the priority-0 "send to controller" flow as intended state.
        public var installTableMiss: Bool

        public init(tableID: UInt8 = 0, priority: UInt16 = 10, idleTimeout: UInt16 = 60, hardTimeout: UInt16 = 0,
                    maxMACsPerSwitch: Int = 8192, installTableMiss: Bool = true) {
            self.tableID = tableID; self.priority = priority; self.idleTimeout = idleTimeout
            self.hardTimeout = hardTimeout; self.maxMACsPerSwitch = maxMACsPerSwitch; self.installTableMiss = installTableMiss
        }
    }

    /// One learned address. `vlanVID` is OpenFlow's: OFPVID_PRESENT | vid, or 0 untagged.
    public struct Entry: Hashable, Sendable {
        public var datapathID: UInt64
        public var vlanVID: UInt16
        public var mac: MACAddress
        public var port: UInt32
    }

    public struct Counters: Hashable, Sendable {
        public var flowsInstalled = 0
        public var floods = 0
        public var forwards = 0
        public var moves = 0
        /// Addresses not learned because the switch's table was full.
        public var tableFull = 0
        public var ignored = 0
    }

    struct Key: Hashable {
        var datapathID: UInt64
        var vlanVID: UInt16
        var mac: MACAddress
    }

    struct State {
        var ports: [Key: UInt32] = [:]
        var perSwitch: [UInt64: Int] = [:]
        var nextCookie: UInt32 = 1
        var counters = Counters()
    }

    public let name = "learning"
    public let configuration: Configuration
    let state = Locked(State())

    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    // MARK: ControllerApp

    public var unmanagedCookies: [CookieSpace] { [Self.cookieSpace] }

    public var yieldsToTopology: Bool { true }

    public func intendedFlows(datapathID: UInt64) -> [OFFlowMod] {
        guard configuration.installTableMiss else { return [] }
        return [OFFlowMod(cookie: Self.tableMissCookie, tableID: configuration.tableID, priority: 0, match: .all,
                          instructions: [.applyActions([.output(port: OFPortNumber.controller, maxLength: OFP.controllerNoBuffer)])])]
    }

    public func handle(_ event: ControllerEvent, controller: Controller) async {
        switch event {
        case .packetIn(let session, let packetIn):
            handle(packetIn, from: session, controller: controller)
        case .switchDisconnected(let dpid):
            forget { key, _ in key.datapathID == dpid }
        case .portStatus(let session, let status):
            guard let dpid = session.datapathID, status.reason == .delete || !SwitchSession.isUp(status.port) else { return }
            let port = status.port.portNo
            forget { $0.datapathID == dpid && $1 == port }
            // Learned flows into a dead port would black-hole until they idle out.
            send(.flowMod(OFFlowMod(cookie: Self.cookieSpace.value, cookieMask: Self.cookieSpace.mask, tableID: configuration.tableID,
                                    command: .delete, outPort: port)), to: session, controller: controller)
        default:
            break
        }
    }

    // MARK: Queries

    /// The port `mac` was learned on; `vlan` nil means untagged.
    public func port(of mac: MACAddress, vlan: UInt16? = nil, datapathID: UInt64) -> UInt32? {
        let vid = vlan.map { OFP.vidPresent | ($0 & 0xFFF) } ?? OFP.vidNone
        return state.withLock { $0.ports[Key(datapathID: datapathID, vlanVID: vid, mac: mac)] }
    }

    public var entries: [Entry] {
        state.withLock { s in
            s.ports.map { Entry(datapathID: $0.key.datapathID, vlanVID: $0.key.vlanVID, mac: $0.key.mac, port: $0.value) }
        }.sorted { ($0.datapathID, $0.vlanVID, $0.mac) < ($1.datapathID, $1.vlanVID, $1.mac) }
    }

    public var counters: Counters { state.withLock { $0.counters } }

    // MARK: Packet-in

    func handle(_ packetIn: OFPacketIn, from session: SwitchSession, controller: Controller) {
        guard let dpid = session.datapathID, let inPortField = packetIn.match[.inPort] else { return }
        let inPort = UInt32(truncatingIfNeeded: inPortField.value.low)
        let parsed = packetIn.data.withUnsafeBytes { FlowKey.extract(from: $0, inPort: inPort) }
        let key = parsed.key
        // LLDP and the other bridge-filtered protocols (01:80:c2:00:00:0x) never cross a bridge.
        if parsed.status == .truncated(.ethernet) || parsed.status == .truncated(.vlan)
            || key.ethType == EtherType.lldp || key.ethDst.rawValue & ~0xF == 0x0180_C200_0000 {
            state.withLock { $0.counters.ignored += 1 }
            return
        }
        let vid = key.vlanVID
        let src = key.ethSrc, dst = key.ethDst
        let cfg = configuration

        enum Learned { case unchanged, new, moved(from: UInt32), full }
        let (learned, outPort, cookie) = state.withLock { s -> (Learned, UInt32?, UInt64) in
            var learned = Learned.unchanged
            if !src.isMulticast {
                let k = Key(datapathID: dpid, vlanVID: vid, mac: src)
                switch s.ports[k] {
                case inPort?: break
                case let old?:
                    s.ports[k] = inPort
                    s.counters.moves += 1
                    learned = .moved(from: old)
                case nil where s.perSwitch[dpid, default: 0] >= cfg.maxMACsPerSwitch:
                    s.counters.tableFull += 1
                    learned = .full
                case nil:
                    s.ports[k] = inPort
                    s.perSwitch[dpid, default: 0] += 1
                    learned = .new
                }
            }
            let out = dst.isMulticast ? nil : s.ports[Key(datapathID: dpid, vlanVID: vid, mac: dst)]
            var cookie: UInt64 = 0
            if let out, out != inPort {
                cookie = Self.cookieSpace.value | UInt64(s.nextCookie)
                s.nextCookie = s.nextCookie == UInt32.max ? 1 : s.nextCookie + 1
                s.counters.flowsInstalled += 1
                s.counters.forwards += 1
            } else if out == nil {
                s.counters.floods += 1
            }
            return (learned, out, cookie)
        }
        if case .moved = learned {
            // Flows towards the old port would keep sending there until they idle out.
            send(.flowMod(OFFlowMod(cookie: Self.cookieSpace.value, cookieMask: Self.cookieSpace.mask, tableID: cfg.tableID,
                                    command: .delete, match: OFMatch([.ethDst(src), Self.vlanField(vid)]))),
                 to: session, controller: controller)
        }

        guard let outPort else {
            if let out = Self.packetOut(packetIn, inPort: inPort, actions: [.output(port: OFPortNumber.flood, maxLength: 0)]) {
                send(.packetOut(out), to: session, controller: controller)
            }
            return
        }
        // The destination sits behind the port the frame came in on: nothing to do.
        guard outPort != inPort else { return }
        let flow = OFFlowMod(cookie: cookie, tableID: cfg.tableID, command: .add, idleTimeout: cfg.idleTimeout,
                             hardTimeout: cfg.hardTimeout, priority: cfg.priority,
                             match: OFMatch([.inPort(inPort), .ethDst(dst), .ethSrc(src), Self.vlanField(vid)]),
                             instructions: [.applyActions([.output(port: outPort, maxLength: 0)])])
        send(.flowMod(flow), to: session, controller: controller)
        if let out = Self.packetOut(packetIn, inPort: inPort, actions: [.output(port: outPort, maxLength: 0)]) {
            send(.packetOut(out), to: session, controller: controller)
        }
    }

    /// vlan_vid as matched: the tag's vid with OFPVID_PRESENT, or OFPVID_NONE.
    static func vlanField(_ vid: UInt16) -> OXMField {
        vid & OFP.vidPresent != 0 ? OXMField(.vlanVID, UInt64(vid & 0x1FFF)) : .vlanNone
    }

    /// A PACKET_OUT of the frame: by buffer id when the switch buffered it, else with the
    /// frame's bytes when the PACKET_IN carried all of them.
    static func packetOut(_ packetIn: OFPacketIn, inPort: UInt32, actions: OFActionList) -> OFPacketOut? {
        if packetIn.bufferID != OFP.noBuffer {
            return OFPacketOut(bufferID: packetIn.bufferID, inPort: inPort, actions: actions)
        }
        guard packetIn.data.count >= Int(packetIn.totalLength) else { return nil }
        return OFPacketOut(inPort: inPort, actions: actions, data: packetIn.data)
    }

    func send(_ message: OFMessage, to session: SwitchSession, controller: Controller) {
        do { try session.send(message) } catch {
            controller.log("learning: \(session.name): cannot send \(message.type): \(error)")
        }
    }

    func forget(_ predicate: (Key, UInt32) -> Bool) {
        state.withLock { s in
            for (key, port) in s.ports where predicate(key, port) {
                s.ports.removeValue(forKey: key)
                s.perSwitch[key.datapathID, default: 1] -= 1
            }
        }
    }
}
