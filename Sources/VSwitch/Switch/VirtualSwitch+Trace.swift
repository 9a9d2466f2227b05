import FlowRules
import Packet

extension VirtualSwitch {
    /// Like `ofproto/trace`: the tables a packet with this key visits, the flow matched in
    /// each, and the datapath actions that result.
    public func trace(_ key: FlowKey) -> String {
        var steps: [TraceStep] = []
        let program = withUnsafeMutablePointer(to: &steps) { p in
            snapshot.translate(key, isPortLive: datapath.isPortLive, trace: p)
        }
        var lines = ["Flow: \(Self.describe(key))", ""]
        for step in steps {
            lines.append("bridge(\"\(name)\")")
            lines.append("-------------")
            if let flow = step.flow {
                lines.append(" \(step.table). \(FlowFormatter.formatMatch(flow.match))\(flow.match == FlowMatch() ? "" : ", ")priority \(flow.priority), cookie 0x\(String(flow.cookie, radix: 16))")
                lines.append("    \(FlowFormatter.formatActions(flow.instructions))")
            } else {
                lines.append(" \(step.table). No match.")
                lines.append("    \(step.note)")
            }
        }
        lines.append("")
        lines.append("Final flow: \(Self.describe(key))")
        lines.append("Datapath actions: \(Self.describe(program.ops))")
        if program.ops.contains(.normal) { lines.append(normalDecision(key)) }
        return lines.joined(separator: "\n")
    }

    /// What NORMAL would do with this packet now: its VLAN, and the learned port or a flood.
    func normalDecision(_ key: FlowKey) -> String {
        guard let mode = datapath.vlanMode(PortNumber(key.inPort)) else { return "NORMAL: no such input port" }
        let vid: UInt16? = key.vlanVID != 0 ? key.vlanVID & 0xFFF : nil
        guard let vlan = mode.ingressVLAN(vid: vid) else { return "NORMAL: dropped, port \(key.inPort) (\(mode)) does not carry this frame's VLAN" }
        let now = MonotonicClock.nanoseconds()
        if !key.ethDst.isMulticast, let port = datapath.lock.withLock({ datapath.macTable.lookup(key.ethDst, vlan: vlan, now: now) }) {
            return "NORMAL: VLAN \(vlan), \(key.ethDst) learned on port \(port) -> output:\(port)"
        }
        let floods = ports.filter { $0.number.rawValue != key.inPort && datapath.vlanMode($0.number)?.egress(vlan: vlan) != .drop }
        return "NORMAL: VLAN \(vlan), \(key.ethDst) not learned -> flood to \(floods.map { "\($0.number)" }.joined(separator: ","))"
    }

    static func describe(_ key: FlowKey) -> String {
        var m = FlowMatch()
        for field in FlowField.allCases where key[field] != .zero {
            m.set(field, key[field])
        }
        let text = FlowFormatter.formatMatch(m)
        return text.isEmpty ? "(all fields zero)" : text
    }

    static func describe(_ ops: [DatapathOp]) -> String {
        if ops.isEmpty { return "drop" }
        return ops.map { op in
            switch op {
            case .output(let p): "output:\(p)"
            case .normal: "NORMAL"
            case .setField(let f, let v): "set_field:\(v.high != 0 ? "0x\(String(v.high, radix: 16))" : "")0x\(String(v.low, radix: 16))->\(f.rawValue)"
            case .pushVLAN(let t): "push_vlan:0x\(String(t, radix: 16))"
            case .popVLAN: "pop_vlan"
            case .modVLANVID(let v): "mod_vlan_vid:\(v)"
            case .modVLANPCP(let p): "mod_vlan_pcp:\(p)"
            case .decTTL: "dec_ttl"
            case .controller(let len, _, _, _): "controller(max_len=\(len))"
            case .clone(let sub): "clone(\(describe(sub)))"
            }
        }.joined(separator: ",")
    }
}
