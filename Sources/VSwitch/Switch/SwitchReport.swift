import FlowRules

/// Human-readable views of a switch for `sdnctl switch NAME show|fdb` and the replay summary.
extension VirtualSwitch {
    public func showText() -> String {
        let snap = snapshot
        var lines = ["switch \(name): datapath-id 0x\(String(definition.datapathID, radix: 16)), fail-mode \(definition.failMode.rawValue), flows \(snap.flowCount), groups \(snap.groups.count)"]
        lines.append("  cache: hits \(datapath.cacheHits.load(ordering: .relaxed)), misses \(datapath.cacheMisses.load(ordering: .relaxed)); buffers free \(datapath.pool.available)/\(datapath.pool.capacity)")
        for port in ports {
            let c = port.counters
            let state = port.state.isLive ? "up" : (port.state.isAdminUp ? "no-carrier" : "down")
            let vlan = datapath.vlanMode(port.number)?.description ?? "-"
            lines.append(" \(port.number)(\(port.name)): \(port.kind.rawValue), \(state), \(vlan)")
            lines.append("     rx pkts=\(c.rxPackets) bytes=\(c.rxBytes) errors=\(c.rxErrors) drops=\(c.totalDrops)")
            lines.append("     tx pkts=\(c.txPackets) bytes=\(c.txBytes) errors=\(c.txErrors)")
            for (reason, n) in c.dropSummary { lines.append("     drop \(reason)=\(n)") }
        }
        let sw = datapath.counters.dropSummary
        if !sw.isEmpty { lines.append(" switch drops: " + sw.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    public func fdbText() -> String {
        let now = MonotonicClock.nanoseconds()
        let rows = datapath.lock.withLock { datapath.macTable.dump(now: now) }
        var lines = [" port  VLAN  MAC                Age"]
        for r in rows {
            lines.append(String(repeating: " ", count: max(0, 5 - r.port.description.count)) + "\(r.port)"
                         + String(repeating: " ", count: max(1, 6 - String(r.vlan).count)) + "\(r.vlan)  \(r.mac)  \(r.age)")
        }
        return lines.joined(separator: "\n")
    }

    public func dumpFlowsText(table: UInt8? = nil) -> String {
        let now = MonotonicClock.nanoseconds()
        return flows(FlowSelector(table: table)).map { e in
            FlowFormatter.format(e.spec, stats: (e.stats.packetCount, e.stats.byteCount, Double(now &- e.installedAt) / 1e9))
        }.joined(separator: "\n")
    }
}
