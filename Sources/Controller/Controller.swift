import OpenFlow

/// Why a controller operation could not be done.
public enum ControllerError: Error, Hashable, Sendable, CustomStringConvertible {
    case notConnected(datapathID: UInt64)
    /// Static flows are ADDs; anything else is refused (the flow, and why).
    case invalidStaticFlow(OFFlowMod, String)
    case alreadyStarted

    public var description: String {
        switch self {
        case .notConnected(let dpid): "datapath \(formatDatapathID(dpid)) is not connected"
        case .invalidStaticFlow(_, let why): "invalid static flow: \(why)"
        case .alreadyStarted: "the controller was already started"
        }
    }
}

/// What one re-sync of a switch did.
public struct ResyncReport: Sendable, CustomStringConvertible {
    public var datapathID: UInt64
    /// Entries the switch reported.
    public var installed: Int
    /// Entries of the intended state.
    public var intended: Int
    public var added: [OFFlowMod]
    public var deleted: [OFFlowMod]
    /// Installed entries that were already as intended.
    public var unchanged: Int
    /// Installed entries in unmanaged cookie spaces (learned flows), left alone.
    public var unmanaged: Int
    /// Flow-mods of the re-sync that the switch refused.
    public var failures: [(flowMod: OFFlowMod, error: OFErrorMessage)]

    /// The switch already matched the intended state: nothing was sent.
    public var madeNoChanges: Bool { added.isEmpty && deleted.isEmpty }
    public var flowModsSent: Int { added.count + deleted.count }

    public var description: String {
        "\(formatDatapathID(datapathID)): \(installed) installed, \(intended) intended, +\(added.count) -\(deleted.count)"
            + " =\(unchanged), \(unmanaged) unmanaged" + (failures.isEmpty ? "" : ", \(failures.count) refused")
    }
}

/// The OpenFlow controller: accepts switches, keeps a registry of them by datapath id, keeps
/// each switch's flow table equal to its intended state (app flows + static flows), and feeds
/// its apps the switches' events.
///
/// ```swift
/// let lldp = LLDPDiscoveryApp()
/// let controller = Controller(configuration: .init(port: 6653), apps: [LearningSwitchApp(), lldp])
/// try await controller.start()
/// try await controller.setStaticFlows([flow], datapathID: 1)
/// let result = try await controller.session(datapathID: 1)?.push(flowMods: [more])
/// print(lldp.links)
/// await controller.shutdown()
/// ```
public final class Controller: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0: any free port (see `localPort`).
        public var port: Int
        public var session: SwitchSession.Configuration
        /// Cookie spaces re-sync never deletes, besides the apps' own.
        public var unmanagedCookies: [CookieSpace]
        /// Re-sync every switch's flow table when it connects.
        public var resyncOnConnect: Bool
        /// Events waiting for the apps beyond this many are dropped (and counted).
        public var eventBufferLimit: Int

        public init(host: String = "127.0.0.1", port: Int = Int(OFP.tcpPort), session: SwitchSession.Configuration = .init(),
                    unmanagedCookies: [CookieSpace] = [], resyncOnConnect: Bool = true, eventBufferLimit: Int = 65536) {
            self.host = host; self.port = port; self.session = session; self.unmanagedCookies = unmanagedCookies
            self.resyncOnConnect = resyncOnConnect; self.eventBufferLimit = eventBufferLimit
        }
    }

    public let configuration: Configuration
    public let apps: [any ControllerApp]
    public let log: ControllerLog

    let totals = Locked(OpenFlowCounters())
    let state = Locked(State())
    let events: AsyncStream<ControllerEvent>
    let eventSink: AsyncStream<ControllerEvent>.Continuation

    struct State {
        var server: OpenFlowServer?
        var eventTask: Task<Void, Never>?
        var sessions: [UInt64: SwitchSession] = [:]
        var staticFlows: [UInt64: [OFFlowMod]] = [:]
        /// The applied topology and its compiled flows (`Controller+Topology.swift`).
        var topology: CompiledTopology?
        /// Flows added through the API, per switch, on top of the topology's.
        var apiFlows: [UInt64: [CompiledFlow]] = [:]
        /// The latest re-sync per switch; the next one waits for it.
        var resyncs: [UInt64: Task<ResyncReport, any Error>] = [:]
        var lastResync: [UInt64: ResyncReport] = [:]
        var resyncCount = 0
        var eventsDropped = 0
    }

    /// Where the intended state survives restarts; nil keeps it in memory only.
    public let store: StateStore?

    public init(configuration: Configuration = .init(), apps: [any ControllerApp] = [], store: StateStore? = nil,
                log: ControllerLog = .stdout) {
        self.configuration = configuration
        self.store = store
        self.apps = apps
        self.log = log
        (events, eventSink) = AsyncStream.makeStream(of: ControllerEvent.self,
                                                     bufferingPolicy: .bufferingOldest(max(configuration.eventBufferLimit, 1)))
    }

    // MARK: Lifecycle

    /// Binds the OpenFlow port, starts delivering events to the apps, starts the apps' timers.
    /// A controller starts once; after `shutdown` make a new one.
    public func start() async throws {
        try restoreState()
        let server = OpenFlowServer(host: configuration.host, port: configuration.port, configuration: configuration.session,
                                    delegate: SessionEvents(controller: self), log: log, totals: totals, group: nil)
        let first = state.withLock { s -> Bool in
            guard s.server == nil else { return false }
            s.server = server
            s.eventTask = Task { [self, events] in
                for await event in events {
                    let owned = event.datapathID.map(ownsByTopology) ?? false
                    for app in apps where !(owned && app.yieldsToTopology) { await app.handle(event, controller: self) }
                }
            }
            return true
        }
        guard first else { throw ControllerError.alreadyStarted }
        do {
            try await server.start()
        } catch {
            eventSink.finish()
            throw error
        }
        for app in apps { app.start(controller: self) }
    }

    /// Stops the apps, closes every switch connection and the listener, and returns once the
    /// apps have seen the last event.
    public func shutdown() async {
        for app in apps { app.stop() }
        let (server, task) = state.withLock { ($0.server, $0.eventTask) }
        await server?.shutdown()
        eventSink.finish()
        await task?.value
        log("controller: stopped")
    }

    /// The bound OpenFlow port.
    public var localPort: Int? { state.withLock { $0.server }?.localPort }

    // MARK: Registry

    /// Ready switches, by datapath id.
    public var sessions: [SwitchSession] {
        state.withLock { s in s.sessions.keys.sorted().compactMap { s.sessions[$0] } }
    }

    public func session(datapathID: UInt64) -> SwitchSession? { state.withLock { $0.sessions[datapathID] } }

    /// Message counts over every session this controller has had.
    public var counters: OpenFlowCounters { totals.current }

    /// Re-syncs finished (all switches).
    public var resyncCount: Int { state.withLock { $0.resyncCount } }

    public func lastResync(datapathID: UInt64) -> ResyncReport? { state.withLock { $0.lastResync[datapathID] } }

    /// Events dropped because the apps fell behind by more than `eventBufferLimit`.
    public var eventsDropped: Int { state.withLock { $0.eventsDropped } }

    // MARK: Intended state

    /// Replaces the static flows of a switch (OFPFC_ADD flow-mods). When the switch is
    /// connected its table is re-synced now and the report returned; otherwise the flows are
    /// installed when it connects.
    @discardableResult
    public func setStaticFlows(_ flows: [OFFlowMod], datapathID: UInt64) async throws -> ResyncReport? {
        for flow in flows {
            guard flow.command == .add else { throw ControllerError.invalidStaticFlow(flow, "command \(flow.command) is not ADD") }
            if unmanagedCookies.contains(where: { $0.contains(flow.cookie) }) {
                throw ControllerError.invalidStaticFlow(flow, "cookie 0x\(String(flow.cookie, radix: 16)) lies in an unmanaged cookie space")
            }
            guard flow.tableID <= OFTableID.max else { throw ControllerError.invalidStaticFlow(flow, "table \(flow.tableID)") }
        }
        state.withLock { $0.staticFlows[datapathID] = flows }
        guard session(datapathID: datapathID) != nil else { return nil }
        return try await resync(datapathID: datapathID)
    }

    public func staticFlows(datapathID: UInt64) -> [OFFlowMod] { state.withLock { $0.staticFlows[datapathID] ?? [] } }

    /// The flows the switch should have: every app's (but not those of apps that yield to the
    /// topology, on a switch the applied topology describes), the topology's, the API's, then
    /// the static ones (a later flow with the same table, priority and match wins).
    public func intendedFlows(datapathID: UInt64) -> [OFFlowMod] {
        intendedFlows(datapathID: datapathID, topology: appliedTopology)
    }

    /// The intended flows as they would be with `topology` applied.
    public func intendedFlows(datapathID: UInt64, topology: CompiledTopology?) -> [OFFlowMod] {
        var flows: [OFFlowMod] = []
        let owned = topology?.switch(datapathID: datapathID) != nil
        for app in apps where !(owned && app.yieldsToTopology) { flows += app.intendedFlows(datapathID: datapathID) }
        let topologyFlows = topology?.switch(datapathID: datapathID)?.flows ?? []
        let apiFlows = self.apiFlows(datapathID: datapathID)
        flows += topologyFlows.map(\.flowMod)
        flows += apiFlows.map(\.flowMod)
        flows += staticFlows(datapathID: datapathID)
        return FlowSync.deduplicated(flows.map { f in
            var f = f
            f.command = .add
            f.bufferID = OFP.noBuffer
            return f
        })
    }

    /// Cookie spaces re-sync leaves alone: the configuration's and the apps'.
    public var unmanagedCookies: [CookieSpace] {
        configuration.unmanagedCookies + apps.flatMap(\.unmanagedCookies)
    }

    // MARK: Flow pushes

    /// Barrier-confirmed flow-mods to one switch (see `SwitchSession.push`).
    public func push(flowMods: [OFFlowMod], datapathID: UInt64) async throws -> PushResult {
        guard let session = session(datapathID: datapathID) else { throw ControllerError.notConnected(datapathID: datapathID) }
        return try await session.push(flowMods: flowMods)
    }

    /// Reads the switch's flows (multipart FLOW, all tables), then deletes the unexpected ones
    /// and adds the missing ones in one barrier-confirmed push. Re-syncs of one switch run one
    /// after the other.
    public func resync(datapathID: UInt64) async throws -> ResyncReport {
        let task = state.withLock { s -> Task<ResyncReport, any Error> in
            let previous = s.resyncs[datapathID]
            let task = Task { [self] in
                _ = await previous?.result
                return try await performResync(datapathID: datapathID)
            }
            s.resyncs[datapathID] = task
            return task
        }
        return try await task.value
    }

    func performResync(datapathID: UInt64) async throws -> ResyncReport {
        guard let session = session(datapathID: datapathID) else { throw ControllerError.notConnected(datapathID: datapathID) }
        let installed = try await installedFlows(datapathID: datapathID)
        let intended = intendedFlows(datapathID: datapathID)
        let plan = FlowSync.plan(installed: installed, intended: intended, unmanaged: unmanagedCookies)
        var failures: [(flowMod: OFFlowMod, error: OFErrorMessage)] = []
        if !plan.isEmpty {
            failures = try await session.push(flowMods: plan.flowMods).failures
        }
        let report = ResyncReport(datapathID: datapathID, installed: installed.count, intended: intended.count,
                                  added: plan.adds, deleted: plan.deletes, unchanged: plan.unchanged,
                                  unmanaged: plan.unmanaged, failures: failures)
        state.withLock { s in
            s.lastResync[datapathID] = report
            s.resyncCount += 1
        }
        log("controller: re-sync \(report)")
        for failure in failures {
            log("controller: \(formatDatapathID(datapathID)) refused \(failure.flowMod.command) table \(failure.flowMod.tableID)"
                + " priority \(failure.flowMod.priority) \(failure.flowMod.match): \(failure.error)")
        }
        emit(.resynced(session, report))
        return report
    }

    // MARK: Session events

    func emit(_ event: ControllerEvent) {
        if case .dropped = eventSink.yield(event) {
            state.withLock { $0.eventsDropped += 1 }
        }
    }

    func sessionReady(_ session: SwitchSession) {
        guard let dpid = session.datapathID else { return }
        let previous = state.withLock { s -> SwitchSession? in
            defer { s.sessions[dpid] = session }
            return s.sessions[dpid]
        }
        if let previous, previous !== session {
            log("controller: \(formatDatapathID(dpid)) connected again; closing its previous connection \(previous.connectionID)")
            previous.close()
        }
        log("controller: switch \(formatDatapathID(dpid)) connected from \(session.remoteAddress)")
        emit(.switchConnected(session))
        guard configuration.resyncOnConnect else { return }
        Task { [self] in
            do {
                _ = try await resync(datapathID: dpid)
            } catch {
                log("controller: re-sync of \(formatDatapathID(dpid)) failed: \(error)")
            }
        }
    }

    func sessionClosed(_ session: SwitchSession) {
        guard let dpid = session.datapathID else { return }
        let removed = state.withLock { s -> Bool in
            guard s.sessions[dpid] === session else { return false }
            s.sessions[dpid] = nil
            return true
        }
        guard removed else { return }
        log("controller: switch \(formatDatapathID(dpid)) disconnected")
        emit(.switchDisconnected(datapathID: dpid))
    }

    func session(_ session: SwitchSession, received message: OFMessage) {
        switch message {
        case .packetIn(let packetIn):
            emit(.packetIn(session, packetIn))
        case .portStatus(let status):
            let reason = switch status.reason {
            case .add: "added"
            case .delete: "deleted"
            case .modify: "modified"
            default: "reason \(status.reason.rawValue)"
            }
            let p = status.port
            log("controller: \(session.name) port \(p.portNo)(\(p.name)) \(reason), \(SwitchSession.isUp(p) ? "up" : "down")")
            emit(.portStatus(session, status))
        case .flowRemoved(let removed):
            emit(.flowRemoved(session, removed))
        case .error(let error):
            emit(.error(session, error))
        default:
            break
        }
    }
}

/// Forwards session callbacks to the controller without the sessions keeping it alive.
final class SessionEvents: SwitchSessionDelegate {
    weak let controller: Controller?

    init(controller: Controller) { self.controller = controller }

    func sessionDidBecomeReady(_ session: SwitchSession) { controller?.sessionReady(session) }
    func session(_ session: SwitchSession, didReceive message: OFMessage) { controller?.session(session, received: message) }
    func sessionDidClose(_ session: SwitchSession) { controller?.sessionClosed(session) }
}
