import OpenFlow

/// What happens on the switches, as the controller's apps see it, in arrival order.
public enum ControllerEvent: Sendable {
    /// The handshake finished: datapath id and ports are known. Re-sync runs meanwhile.
    case switchConnected(SwitchSession)
    /// The switch's connection closed (and no newer one for its datapath id replaced it).
    case switchDisconnected(datapathID: UInt64)
    case packetIn(SwitchSession, OFPacketIn)
    /// Already applied to `session.ports`.
    case portStatus(SwitchSession, OFPortStatus)
    case flowRemoved(SwitchSession, OFFlowRemoved)
    /// An ERROR that answered no request of the controller's.
    case error(SwitchSession, OFErrorMessage)
    /// A re-sync of the switch's flow table finished.
    case resynced(SwitchSession, ResyncReport)
}

/// A controller application: it contributes flows every switch should have (part of the
/// intended state that re-sync keeps), reacts to events, and may run timers between
/// `start` and `stop`.
///
/// Events are delivered one at a time, in order, from one task: `handle` may await, but while
/// it does the next event waits.
public protocol ControllerApp: AnyObject, Sendable {
    var name: String { get }
    /// Flows this app wants on the switch with this datapath id (ADDs).
    func intendedFlows(datapathID: UInt64) -> [OFFlowMod]
    /// Cookies of flows this app installs on its own (re-sync leaves them alone).
    var unmanagedCookies: [CookieSpace] { get }
    func start(controller: Controller)
    func stop()
    func handle(_ event: ControllerEvent, controller: Controller) async
    /// True for apps that program forwarding on their own (the learning switch): on a switch
    /// the applied topology describes, its flows come from the topology instead, so such an
    /// app gets none of that switch's events and contributes no flows to it.
    var yieldsToTopology: Bool { get }
}

extension ControllerApp {
    public func intendedFlows(datapathID: UInt64) -> [OFFlowMod] { [] }
    public var unmanagedCookies: [CookieSpace] { [] }
    public func start(controller: Controller) {}
    public func stop() {}
    public var yieldsToTopology: Bool { false }
}

extension ControllerEvent {
    /// The switch the event concerns.
    public var datapathID: UInt64? {
        switch self {
        case .switchConnected(let s), .packetIn(let s, _), .portStatus(let s, _), .flowRemoved(let s, _), .error(let s, _),
             .resynced(let s, _):
            s.datapathID
        case .switchDisconnected(let dpid): dpid
        }
    }
}
