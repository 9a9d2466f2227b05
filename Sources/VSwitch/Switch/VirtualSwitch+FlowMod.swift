import FlowRules
import Packet

extension VirtualSwitch {
    func validate(_ spec: FlowSpec, groups: [UInt32: GroupEntry]) throws(FlowModError) {
        guard Int(spec.table) < PipelineSnapshot.tableCount else { throw .badTable(spec.table) }
        if let next = spec.instructions.gotoTable {
            guard next > spec.table else { throw .badGotoTable(from: spec.table, to: next) }
            guard Int(next) < PipelineSnapshot.tableCount else { throw .badTable(next) }
        }
        for action in spec.instructions.allActions {
            switch action {
            case .group(let g):
                guard groups[g] != nil else { throw .unknownGroup(g) }
            case .output(let port, _):
                guard port.isReserved || datapath.port(port) != nil else { throw .badOutputPort(port) }
            default: break
            }
        }
    }

    func insert(_ spec: FlowSpec, into tables: inout [FlowTable], groups: [UInt32: GroupEntry]? = nil) throws(FlowModError) {
        try validate(spec, groups: groups ?? snapshot.groups)
        let t = Int(spec.table)
        if spec.flags & 0x2 != 0 {  // OFPFF_CHECK_OVERLAP
            let clash = tables[t].unorderedEntries.contains {
                $0.priority == spec.priority && $0.match != spec.match && $0.match.overlaps(spec.match)
            }
            if clash { throw .overlap }
        }
        let total = tables.reduce(0) { $0 + $1.count }
        let replacing = tables[t].containsIdentical(spec.match, priority: spec.priority)
        if !replacing && total >= definition.maxFlows { throw .tableFull(limit: definition.maxFlows) }
        let entry = FlowEntry(spec: spec, id: nextFlowID, now: MonotonicClock.nanoseconds())
        nextFlowID += 1
        tables[t].insert(entry)
    }

    /// OFPFC_ADD: installs a flow, replacing one with the identical match and priority.
    public func addFlow(_ spec: FlowSpec) throws(FlowModError) {
        try addFlows([spec])
    }

    /// Adds several flows as one published change (all or nothing).
    public func addFlows(_ specs: [FlowSpec]) throws(FlowModError) {
        do {
            try apply { tables, groups in
                for spec in specs { try self.insert(spec, into: &tables, groups: groups) }
            }
        } catch let e as FlowModError {
            throw e
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    /// OFPFC_MODIFY(_STRICT): new instructions for the selected flows, counters kept unless
    /// `resetCounts`. Returns how many changed.
    @discardableResult
    public func modifyFlows(_ selector: FlowSelector, instructions: Instructions, resetCounts: Bool = false) throws(FlowModError) -> Int {
        do {
            return try apply { tables, groups in
                var changed = 0
                for t in tables.indices {
                    var failure: FlowModError?
                    changed += tables[t].replace { old in
                        guard failure == nil, selector.selects(old) else { return nil }
                        var spec = old.spec
                        spec.instructions = instructions
                        do throws(FlowModError) { try self.validate(spec, groups: groups) } catch { failure = error; return nil }
                        if resetCounts { old.stats.reset() }
                        return FlowEntry(spec: spec, id: old.id, now: old.installedAt, stats: old.stats)
                    }
                    if let failure { throw failure }
                }
                return changed
            }
        } catch let e as FlowModError {
            throw e
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    /// OFPFC_DELETE(_STRICT): removes the selected flows and returns them.
    @discardableResult
    public func deleteFlows(_ selector: FlowSelector, reason: FlowRemovedReason = .delete) -> [FlowEntry] {
        let removed = (try? apply { tables, _ in
            tables.indices.flatMap { tables[$0].remove(where: selector.selects) }
        }) ?? []
        notifyRemoved(removed, reason: reason)
        return removed
    }

    func notifyRemoved(_ entries: [FlowEntry], reason: FlowRemovedReason) {
        guard let handler = flowRemovedHandler else { return }
        for e in entries where e.spec.flags & 0x1 != 0 { handler(e, reason) }  // OFPFF_SEND_FLOW_REM
    }

    /// Flows selected by `selector`, in table then priority order (or in no particular order,
    /// cheaper on large tables, when `ordered` is false).
    public func flows(_ selector: FlowSelector = .all, ordered: Bool = true) -> [FlowEntry] {
        snapshot.tables.flatMap { (ordered ? $0.entries : $0.unorderedEntries).filter(selector.selects) }
    }

    /// Removes flows whose idle or hard timeout has passed.
    @discardableResult
    public func expireFlows(now: UInt64 = MonotonicClock.nanoseconds()) -> Int {
        func expired(_ e: FlowEntry) -> FlowRemovedReason? {
            if e.spec.hardTimeout > 0 && now &- e.installedAt >= UInt64(e.spec.hardTimeout) * 1_000_000_000 { return .hardTimeout }
            if e.spec.idleTimeout > 0 && now &- e.stats.lastUsedNanoseconds >= UInt64(e.spec.idleTimeout) * 1_000_000_000 { return .idleTimeout }
            return nil
        }
        let candidates = snapshot.tables.flatMap { $0.entriesWithTimeouts.filter { expired($0) != nil } }
        guard !candidates.isEmpty else { return 0 }
        let ids = Set(candidates.map(\.id))
        let removed = (try? apply { tables, _ in
            tables.indices.flatMap { t in tables[t].remove { ids.contains($0.id) && expired($0) != nil } }
        }) ?? []
        for e in removed { notifyRemoved([e], reason: expired(e) ?? .idleTimeout) }
        return removed.count
    }

    // MARK: Groups

    public enum GroupCommand: Sendable { case add, modify, delete }

    /// OFPGC_ADD / MODIFY / DELETE. Deleting a group deletes the flows that use it (spec §6.5).
    public func groupMod(_ command: GroupCommand, _ group: GroupEntry) throws(FlowModError) {
        do {
            let removedFlows: [FlowEntry] = try apply { tables, groups in
                switch command {
                case .add:
                    guard groups[group.id] == nil else { throw FlowModError.groupExists(group.id) }
                    try self.checkGroup(group, in: groups)
                    groups[group.id] = group
                case .modify:
                    guard groups[group.id] != nil else { throw FlowModError.unknownGroup(group.id) }
                    try self.checkGroup(group, in: groups)
                    groups[group.id] = group
                case .delete:
                    let ids: [UInt32] = group.id == 0xFFFF_FFFC ? Array(groups.keys) : [group.id]  // OFPG_ALL
                    var removed: [FlowEntry] = []
                    for id in ids where groups.removeValue(forKey: id) != nil {
                        let selector = FlowSelector(outGroup: id)
                        removed += tables.indices.flatMap { tables[$0].remove(where: selector.selects) }
                    }
                    return removed
                }
                return []
            }
            notifyRemoved(removedFlows, reason: .groupDelete)
        } catch let e as FlowModError {
            throw e
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    func checkGroup(_ group: GroupEntry, in groups: [UInt32: GroupEntry]) throws(FlowModError) {
        for bucket in group.buckets {
            for action in bucket.actions {
                if case .group(let g) = action {
                    guard g != group.id else { throw .groupLoop(g) }
                    guard groups[g] != nil else { throw .unknownGroup(g) }
                }
                if case .output(let port, _) = action, !port.isReserved, datapath.port(port) == nil {
                    throw .badOutputPort(port)
                }
            }
        }
    }

    public var groups: [GroupEntry] { snapshot.groups.values.sorted { $0.id < $1.id } }
}
