import FlowRules
import Foundation
import OpenFlow
import Topology

/// What applying a topology did on one switch.
public struct SwitchApplyReport: Sendable {
    public var name: String
    public var datapathID: UInt64
    public var flows: Int
    /// Nil while the switch is not connected: its flows are installed when it connects.
    public var resync: ResyncReport?
}

/// What `applyTopology` did: the state is stored (when there is a store), and every connected
/// switch was brought to its intended flows, barrier-confirmed.
public struct TopologyApplyReport: Sendable {
    public var name: String
    public var switches: [SwitchApplyReport]

    public var flowModsSent: Int { switches.reduce(0) { $0 + ($1.resync?.flowModsSent ?? 0) } }
    public var failures: Int { switches.reduce(0) { $0 + ($1.resync?.failures.count ?? 0) } }
}

/// The flow-mods an apply would send to one switch.
public struct SwitchDiff: Sendable {
    public var name: String
    public var datapathID: UInt64
    public var connected: Bool
    /// ADDs (new or changed flows), as flow text.
    public var adds: [String]
    /// Flows that would be deleted, as flow text.
    public var deletes: [String]
}

extension Controller {
    /// The applied topology, if any.
    public var appliedTopology: CompiledTopology? { state.withLock { $0.topology } }

    /// True when the applied topology describes this switch: its forwarding comes from there.
    public func ownsByTopology(_ datapathID: UInt64) -> Bool {
        state.withLock { $0.topology?.switch(datapathID: datapathID) != nil }
    }

    /// A switch's name in the applied topology, else its datapath id as ovs-ofctl prints it.
    public func switchName(_ datapathID: UInt64) -> String {
        appliedTopology?.switch(datapathID: datapathID)?.name ?? formatDatapathID(datapathID)
    }

    /// A switch named as users name it: by topology name, or by datapath id (`0x1`, `1`).
    public func datapathID(of reference: String) -> UInt64? {
        if let sw = appliedTopology?.switch(named: reference) { return sw.datapathID }
        let text = reference.lowercased()
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }

    // MARK: Apply

    /// Fault injection for the durability test: with `SDN_FAULT_KILL_DURING_APPLY=1` the
    /// process SIGKILLs itself inside the apply transaction, after every row is written and
    /// before the commit.
    static let faultKillDuringApply = ProcessInfo.processInfo.environment["SDN_FAULT_KILL_DURING_APPLY"] == "1"

    /// Makes `compiled` the intended state: stored first (one transaction), then pushed to every
    /// connected switch it or the previous topology describes, as the difference against what
    /// the switch holds (so an unchanged topology sends nothing).
    public func applyTopology(_ compiled: CompiledTopology) async throws -> TopologyApplyReport {
        try store?.applyTopology(
            StoredTopology(name: compiled.topology.name, path: compiled.topology.path, yaml: compiled.yaml,
                           appliedAt: Date().timeIntervalSince1970),
            flows: Dictionary(compiled.switches.map { ($0.datapathID, $0.flows.map(\.text)) }, uniquingKeysWith: { a, _ in a }),
            beforeCommit: Self.faultKillDuringApply ? { kill(getpid(), SIGKILL) } : nil)
        let previous = state.withLock { s -> CompiledTopology? in
            defer { s.topology = compiled }
            return s.topology
        }
        log("controller: topology '\(compiled.topology.name)' applied: \(compiled.switches.count) switch(es), \(compiled.flowCount) flow(s)")
        var reports: [SwitchApplyReport] = []
        for sw in compiled.switches {
            reports.append(SwitchApplyReport(name: sw.name, datapathID: sw.datapathID, flows: sw.flows.count,
                                             resync: await resyncIfConnected(sw.datapathID)))
        }
        // Switches the new topology dropped lose its flows too.
        for sw in previous?.switches ?? [] where compiled.switch(datapathID: sw.datapathID) == nil {
            reports.append(SwitchApplyReport(name: sw.name, datapathID: sw.datapathID, flows: 0,
                                             resync: await resyncIfConnected(sw.datapathID)))
        }
        return TopologyApplyReport(name: compiled.topology.name, switches: reports)
    }

    /// The state is already stored: a switch that goes away mid-push gets it when it connects
    /// again, so its failure is logged, not thrown.
    func resyncIfConnected(_ datapathID: UInt64) async -> ResyncReport? {
        guard session(datapathID: datapathID) != nil else { return nil }
        do {
            return try await resync(datapathID: datapathID)
        } catch {
            log("controller: \(formatDatapathID(datapathID)): push of the applied topology failed, retried on reconnect: \(error)")
            return nil
        }
    }

    /// What `applyTopology(compiled)` would send, switch by switch: against the switch's flow
    /// table when it is connected, else against the current intended state.
    public func diffTopology(_ compiled: CompiledTopology) async throws -> [SwitchDiff] {
        var datapaths = compiled.switches.map { ($0.name, $0.datapathID) }
        for sw in appliedTopology?.switches ?? [] where compiled.switch(datapathID: sw.datapathID) == nil {
            datapaths.append((sw.name, sw.datapathID))
        }
        var diffs: [SwitchDiff] = []
        for (name, dpid) in datapaths {
            let intended = intendedFlows(datapathID: dpid, topology: compiled)
            let installed: [OFFlowStats]
            let connected = session(datapathID: dpid) != nil
            if connected {
                installed = try await installedFlows(datapathID: dpid)
            } else {
                installed = intendedFlows(datapathID: dpid).map(Self.asInstalled)
            }
            let plan = FlowSync.plan(installed: installed, intended: intended, unmanaged: unmanagedCookies)
            diffs.append(SwitchDiff(name: name, datapathID: dpid, connected: connected,
                                    adds: plan.adds.map(Self.flowText), deletes: plan.deletes.map(Self.flowText)))
        }
        return diffs
    }

    /// The switch's flow entries, all tables (multipart FLOW).
    public func installedFlows(datapathID: UInt64) async throws -> [OFFlowStats] {
        guard let session = session(datapathID: datapathID) else { throw ControllerError.notConnected(datapathID: datapathID) }
        let replies = try await session.request(.multipartRequest(OFMultipartRequest(.flow(OFFlowStatsRequest()))))
        var entries: [OFFlowStats] = []
        for case .multipartReply(let reply) in replies {
            if case .flow(let list) = reply.body { entries += list }
        }
        return entries
    }

    static func asInstalled(_ flow: OFFlowMod) -> OFFlowStats {
        OFFlowStats(tableID: flow.tableID, durationSec: 0, durationNsec: 0, priority: flow.priority, idleTimeout: flow.idleTimeout,
                    hardTimeout: flow.hardTimeout, flags: flow.flags, cookie: flow.cookie, packetCount: 0, byteCount: 0,
                    match: flow.match, instructions: flow.instructions)
    }

    /// A flow-mod as ovs-ofctl flow text; a match or instruction the flow model cannot express
    /// (another controller's flow) is shown by its OpenFlow description instead.
    public static func flowText(_ flow: OFFlowMod) -> String {
        guard let match = try? OFTranslation.match(flow.match),
              let instructions = try? OFTranslation.instructions(flow.instructions) else {
            return "table=\(flow.tableID), priority=\(flow.priority), \(flow.match)"
        }
        return FlowFormatter.format(FlowSpec(table: flow.tableID, priority: flow.priority, match: match, instructions: instructions,
                                             cookie: flow.cookie, idleTimeout: flow.idleTimeout, hardTimeout: flow.hardTimeout,
                                             flags: flow.flags.rawValue))
    }

    // MARK: API flows

    /// Adds flows (ovs-ofctl syntax; ports by number or by the topology's port names) to a
    /// switch's intended state, stores them, and installs them if the switch is connected.
    public func addFlows(_ texts: [String], datapathID: UInt64) async throws -> (added: [CompiledFlow], resync: ResyncReport?) {
        let names = portNames(datapathID: datapathID)
        var added: [CompiledFlow] = []
        for text in texts { added.append(try CompiledFlow.canonical(text, portNames: names)) }
        let all = state.withLock { s in
            s.apiFlows[datapathID, default: []] += added
            return s.apiFlows[datapathID] ?? []
        }
        try store?.setAPIFlows(all.map(\.text), datapathID: datapathID)
        return (added, await resyncIfConnected(datapathID))
    }

    /// Removes the API-added flows of a switch that `match` selects (ovs-ofctl `del-flows`
    /// semantics: every flow whose match is at least as specific; no match selects all), and
    /// the switch loses them too. Topology flows are changed by applying an edited topology.
    public func deleteFlows(matching match: String?, datapathID: UInt64) async throws -> (deleted: [CompiledFlow], resync: ResyncReport?) {
        let filter = try match.map { text throws(FlowSyntaxError) in try FlowSyntax.parseMatch(text, portNames: portNames(datapathID: datapathID)) }
        let (deleted, kept) = state.withLock { s -> ([CompiledFlow], [CompiledFlow]) in
            let flows = s.apiFlows[datapathID] ?? []
            let selected = flows.filter { flow in
                guard let filter else { return true }
                guard let m = try? OFTranslation.match(flow.flowMod.match) else { return false }
                return (filter.table == nil || filter.table == flow.flowMod.tableID) && m.isSubsumed(by: filter.match)
            }
            let rest = flows.filter { !selected.contains($0) }
            s.apiFlows[datapathID] = rest
            return (selected, rest)
        }
        try store?.setAPIFlows(kept.map(\.text), datapathID: datapathID)
        return (deleted, await resyncIfConnected(datapathID))
    }

    public func apiFlows(datapathID: UInt64) -> [CompiledFlow] { state.withLock { $0.apiFlows[datapathID] ?? [] } }

    func portNames(datapathID: UInt64) -> [String: PortNumber] {
        guard let name = appliedTopology?.switch(datapathID: datapathID)?.name,
              let config = appliedTopology?.topology.switch(named: name) else { return [:] }
        return Dictionary(config.ports.map { ($0.name, PortNumber($0.number)) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Restore

    /// Loads the stored intended state (before any switch connects, so each one is re-synced
    /// to it on connect). A stored topology that no longer loads is reported and skipped.
    func restoreState() throws {
        guard let store else { return }
        let stored = try store.load()
        var compiled: CompiledTopology?
        if let saved = stored.topology {
            do {
                let topology = try TopologyLoader.parse(yaml: saved.yaml, file: saved.path)
                var switches: [CompiledSwitch] = []
                for config in topology.switches {
                    let flows = try (stored.topologyFlows[config.datapathID] ?? []).map { text throws in try CompiledFlow.parse(text) }
                    switches.append(CompiledSwitch(name: config.name, datapathID: config.datapathID, computed: config.flows.isEmpty, flows: flows))
                }
                compiled = CompiledTopology(topology: topology, yaml: saved.yaml, switches: switches)
                log("controller: restored topology '\(saved.name)' (\(switches.reduce(0) { $0 + $1.flows.count }) flows) from \(store.path)")
            } catch {
                log("controller: the stored topology '\(saved.name)' does not load any more, ignored: \(error)")
            }
        }
        var api: [UInt64: [CompiledFlow]] = [:]
        for (dpid, texts) in stored.apiFlows {
            api[dpid] = texts.compactMap { text in
                do { return try CompiledFlow.parse(text) } catch {
                    log("controller: stored flow '\(text)' for \(formatDatapathID(dpid)) does not parse, ignored: \(error)")
                    return nil
                }
            }
        }
        state.withLock { s in
            s.topology = compiled
            s.apiFlows = api
        }
    }
}
