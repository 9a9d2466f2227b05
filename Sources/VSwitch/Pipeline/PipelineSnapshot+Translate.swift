import FlowRules
import Packet

extension PipelineSnapshot {
    /// How deep groups may chain before a translation is cut off (a loop guard).
    static let maxGroupDepth = 8

    /// Walks the tables for `key` and resolves instructions, action sets and groups into a
    /// flat program. Deterministic for a key, the port liveness and this snapshot, so the
    /// result can be cached until either changes.
    public func translate(_ key: FlowKey, isPortLive: (PortNumber) -> Bool,
                          trace: UnsafeMutablePointer<[TraceStep]>? = nil) -> DatapathProgram {
        var k = key
        var program = DatapathProgram()
        var actionSet: [String: FlowAction] = [:]
        var table: UInt8 = 0
        var visited = 0
        while true {
            visited += 1
            guard Int(table) < tables.count, visited <= tables.count,
                  let entry = tables[Int(table)].lookup(k) else {
                if table == 0 && missToNormal {
                    trace?.pointee.append(TraceStep(table: table, flow: nil, note: "NORMAL (fail-mode standalone, no controller)"))
                    program.ops.append(.normal)
                    return program
                }
                program.tableMiss = true
                trace?.pointee.append(TraceStep(table: table, flow: nil, note: "drop (table miss)"))
                return program
            }
            program.flows.append(entry.stats)
            let ins = entry.spec.instructions
            if let apply = ins.applyActions {
                for action in apply {
                    emit(action, key: &k, into: &program.ops, stats: &program.flows, table: table, cookie: entry.cookie,
                         isPortLive: isPortLive, depth: 0)
                }
            }
            if ins.clearActions { actionSet.removeAll() }
            if let write = ins.writeActions {
                for action in write { actionSet[action.actionSetSlot] = action }
            }
            if let wm = ins.writeMetadata {
                k.metadata = (k.metadata & ~wm.mask) | (wm.value & wm.mask)
            }
            trace?.pointee.append(TraceStep(table: table, flow: entry.spec, note: describe(ins)))
            if let next = ins.gotoTable, next > table {
                table = next
                continue
            }
            break
        }
        // The action set runs in the spec's fixed order; a group suppresses output (§5.10).
        var set = actionSet.values.sorted { $0.actionSetOrder < $1.actionSetOrder }
        if set.contains(where: { if case .group = $0 { true } else { false } }) {
            set.removeAll { if case .output = $0 { true } else { false } }
        }
        for action in set {
            emit(action, key: &k, into: &program.ops, stats: &program.flows, table: table, cookie: 0, isPortLive: isPortLive, depth: 0)
        }
        return program
    }

    func describe(_ ins: Instructions) -> String {
        var parts: [String] = []
        if let a = ins.applyActions { parts.append(a.isEmpty ? "drop" : "apply \(a.count) action(s)") }
        if ins.clearActions { parts.append("clear_actions") }
        if let w = ins.writeActions { parts.append("write \(w.count) action(s)") }
        if let m = ins.writeMetadata { parts.append("write_metadata:0x\(String(m.value, radix: 16))/0x\(String(m.mask, radix: 16))") }
        if let g = ins.gotoTable { parts.append("goto_table:\(g)") }
        return parts.isEmpty ? "drop" : parts.joined(separator: ", ")
    }

    /// Appends the ops for `action`; `stats` collects the counters each packet of the flow hits
    /// (the groups it goes through and their buckets).
    func emit(_ action: FlowAction, key k: inout FlowKey, into ops: inout [DatapathOp], stats: inout [FlowStats], table: UInt8,
              cookie: UInt64, isPortLive: (PortNumber) -> Bool, depth: Int) {
        switch action {
        case .output(let port, let maxLength):
            switch port {
            case .normal: ops.append(.normal)
            case .controller: ops.append(.controller(maxLength: maxLength, reason: .action, tableID: table, cookie: cookie))
            case .table, .any: break  // TABLE is only valid in PACKET_OUT; ANY is not an output
            default: ops.append(.output(port))
            }
        case .setField(let field, let value):
            k[field] = value
            ops.append(.setField(field, value))
        case .pushVLAN(let tpid):
            // The new tag takes the outer tag's VID and PCP, or zero (spec §7.2.5).
            k.vlanTCI = k.vlanTCI | FlowKey.vlanPresent
            ops.append(.pushVLAN(tpid))
        case .popVLAN:
            k.vlanTCI = 0
            ops.append(.popVLAN)
        case .modVLANVID(let vid):
            k.vlanVID = FlowKey.vlanPresent | (vid & 0xFFF)
            ops.append(.modVLANVID(vid & 0xFFF))
        case .modVLANPCP(let pcp):
            k.vlanPCP = pcp
            if k.vlanVID == 0 { k.vlanVID = FlowKey.vlanPresent }
            ops.append(.modVLANPCP(pcp & 7))
        case .decTTL:
            ops.append(.decTTL)
        case .group(let id):
            guard depth < Self.maxGroupDepth, let group = groups[id] else { return }
            let counters = groupCounters[id]
            if let counters { stats.append(counters.total) }
            for index in chooseBuckets(group, key: k, isPortLive: isPortLive) {
                let bucket = group.buckets[index]
                if let counters, index < counters.buckets.count { stats.append(counters.buckets[index]) }
                var bucketKey = k
                var bucketOps: [DatapathOp] = []
                for a in bucket.actions {
                    emit(a, key: &bucketKey, into: &bucketOps, stats: &stats, table: table, cookie: cookie,
                         isPortLive: isPortLive, depth: depth + 1)
                }
                if !bucketOps.isEmpty { ops.append(.clone(bucketOps)) }
            }
        }
    }

    /// The indices of the buckets a group runs for this flow (spec §5.6.1).
    func chooseBuckets(_ group: GroupEntry, key: FlowKey, isPortLive: (PortNumber) -> Bool) -> [Int] {
        func live(_ i: Int) -> Bool { group.buckets[i].watchPort == .any || isPortLive(group.buckets[i].watchPort) }
        let all = group.buckets.indices
        switch group.kind {
        case .all:
            return Array(all)
        case .indirect:
            return Array(all.prefix(1))
        case .fastFailover:
            return all.first(where: live).map { [$0] } ?? []
        case .select:
            let candidates = all.filter { live($0) && group.buckets[$0].weight > 0 }
            let total = candidates.reduce(0) { $0 + Int(group.buckets[$1].weight) }
            guard total > 0 else { return [] }
            // A hash of the flow's addresses and ports, so one flow always takes one bucket.
            var h = key
            h.inPort = 0; h.metadata = 0
            var point = Int(truncatingIfNeeded: h.fastHash % UInt64(total))
            for b in candidates {
                point -= Int(group.buckets[b].weight)
                if point < 0 { return [b] }
            }
            return []
        }
    }
}
