import FlowRules
import Atomics
import Dispatch
import Glibc
import HostNet
import Packet

/// One switch: its ports, its pipeline, the datapath thread that forwards between them, and
/// the flow/group table operations the control plane (sdnctl, OpenFlow) performs.
public final class VirtualSwitch: @unchecked Sendable {
    public let definition: SwitchDefinition
    public let datapath: Datapath
    /// Serializes table changes; the datapath never takes it.
    let controlLock = DatapathLock()
    var nextFlowID: UInt64 = 1
    /// Open batches (see `beginBatch`) and the working copy they change.
    var batchDepth = 0
    var working: (tables: [FlowTable], groups: [UInt32: GroupEntry])?
    /// Whether table-0 misses go to NORMAL (standalone without a controller); under `controlLock`.
    var missToNormalSetting: Bool
    let running = ManagedAtomic<Bool>(false)
    var thread: pthread_t?
    var housekeepingThread: pthread_t?
    /// Called (outside any lock) for each flow removed by a timeout or a delete with
    /// OFPFF_SEND_FLOW_REM set.
    public var flowRemovedHandler: (@Sendable (FlowEntry, FlowRemovedReason) -> Void)?
    let controllerConnected = ManagedAtomic<Bool>(false)
    /// Called when a port's link state changes (for OpenFlow PORT_STATUS).
    public var portStatusHandler: (@Sendable (SwitchPort) -> Void)?
    /// Ports whose interface lives in another namespace (TAPs moved to their host), for link state.
    let portLocations = Protected<[PortNumber: (namespace: String, interface: String)]>([:])
    /// Netlink sockets inside those namespaces, kept open between reads (housekeeping thread only).
    let namespaceLinks = NamespacedLinkReader()

    public var name: String { definition.name }

    /// Builds the switch: opens every port (nothing half-started: a port that fails closes the
    /// ones already opened) and installs the configured flows.
    public init(_ definition: SwitchDefinition, pool: PacketBufferPool? = nil,
                portFactory: (SwitchDefinition.Port) throws -> SwitchPort = VirtualSwitch.openPort) throws {
        self.definition = definition
        missToNormalSetting = definition.failMode == .standalone
        datapath = Datapath(pool: pool ?? PacketBufferPool(capacity: 1024),
                            macTableSize: definition.macTableSize, macAgingSeconds: definition.macAgingSeconds,
                            packetInRate: Double(definition.packetInRate), initial: PipelineSnapshot(missToNormal: definition.failMode == .standalone))
        var opened: [SwitchPort] = []
        do {
            for p in definition.ports {
                let port = try portFactory(p)
                opened.append(port)
                datapath.addPort(port, vlan: p.vlan)
            }
            try apply { tables, _ in
                for spec in definition.flows { try self.insert(spec, into: &tables) }
            }
        } catch {
            for p in opened { p.close() }
            throw error
        }
    }

    /// Opens the device behind a configured port.
    public static func openPort(_ p: SwitchDefinition.Port) throws -> SwitchPort {
        switch p.kind {
        case .tap: return try TapPort(number: p.number, name: p.name)
        case .system: return try SystemPort(number: p.number, name: p.name, interface: p.interface ?? p.name)
        case .pcap: return try PcapPort(number: p.number, name: p.name, outputPath: nil)
        }
    }

    // MARK: Publishing

    /// Runs `body` on copies of the tables and groups and publishes the result as one new
    /// version; nothing is published when `body` throws.
    func apply<T>(_ body: (inout [FlowTable], inout [UInt32: GroupEntry]) throws -> T) throws -> T {
        controlLock.lock()
        defer { controlLock.unlock() }
        if batchDepth > 0 {
            // Inside a batch: change the working copy in place; `endBatch` publishes it once.
            if working == nil {
                let current = datapath.pipeline.load(ordering: .acquiring)
                working = (current.tables, current.groups)
            }
            // Move the working copy out so its subtables stay uniquely referenced while changed.
            var w = working!
            working = nil
            defer { working = w }
            return try body(&w.tables, &w.groups)
        }
        let current = datapath.pipeline.load(ordering: .acquiring)
        var tables = current.tables
        var groups = current.groups
        let result = try body(&tables, &groups)
        publish(tables: tables, groups: groups, missToNormal: current.missToNormal, after: current)
        return result
    }

    /// Starts collecting table changes into one version (e.g. the flow-mods of one read from a
    /// controller): copying a large table once per flow-mod would make installs quadratic.
    /// Each change still validates on its own; a refused one changes nothing.
    public func beginBatch() {
        controlLock.withLock { batchDepth += 1 }
    }

    /// Publishes the changes collected since `beginBatch` as one new version.
    public func endBatch() {
        controlLock.withLock {
            batchDepth -= 1
            guard batchDepth == 0, let w = working else { return }
            working = nil
            let current = datapath.pipeline.load(ordering: .acquiring)
            publish(tables: w.tables, groups: w.groups, missToNormal: current.missToNormal, after: current)
        }
    }

    func publish(tables: [FlowTable], groups: [UInt32: GroupEntry], missToNormal: Bool, after current: PipelineSnapshot) {
        // Flow-mods leave groups alone: only a group change (rare) rebuilds the counters map.
        let counters = groups == current.groups
            ? current.groupCounters
            : GroupCounters.carried(over: current.groupCounters, to: groups, now: MonotonicClock.nanoseconds())
        let next = PipelineSnapshot(tables: tables, groups: groups, generation: current.generation &+ 1,
                                    missToNormal: missToNormalSetting, groupCounters: counters)
        let previous = datapath.pipeline.exchange(next, ordering: .acquiringAndReleasing)
        // Freeing a version can mean releasing every entry of a copied table (a whole base after
        // a fold): done on another thread, after which the flow-mods' barrier reply need not wait.
        Self.retired.async { withExtendedLifetime(previous) {} }
    }

    /// Where replaced pipeline versions are released (see `publish`).
    static let retired = DispatchQueue(label: "swiftsdn.retired-pipelines")

    /// Sets whether a controller is connected: in standalone mode a switch without one acts as
    /// a learning switch on table misses; in secure mode it keeps only its installed flows.
    public func setControllerConnected(_ connected: Bool) {
        controllerConnected.store(connected, ordering: .relaxed)
        let missToNormal = definition.failMode == .standalone && !connected
        controlLock.withLock {
            missToNormalSetting = missToNormal
            let current = datapath.pipeline.load(ordering: .acquiring)
            guard current.missToNormal != missToNormal, working == nil else { return }
            publish(tables: current.tables, groups: current.groups, missToNormal: missToNormal, after: current)
        }
    }

    public var snapshot: PipelineSnapshot { datapath.pipeline.load(ordering: .acquiring) }
    public var ports: [SwitchPort] { datapath.ports }
}

extension VirtualSwitch {
    /// Records that a port's interface now lives in `namespace` as `interface`, so its link
    /// state (up, carrier) is read there.
    public func setPortLocation(_ port: PortNumber, namespace: String, interface: String) {
        portLocations.withLock { $0[port] = (namespace, interface) }
    }
}

/// A value behind a mutex.
final class Protected<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = DatapathLock()
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(&value)
    }
}
