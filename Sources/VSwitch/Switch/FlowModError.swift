import FlowRules

/// Why a flow or group change was refused; each maps to an OpenFlow error type and code.
public enum FlowModError: Error, Equatable, Sendable, CustomStringConvertible {
    case tableFull(limit: Int)
    case overlap
    case badTable(UInt8)
    case badGotoTable(from: UInt8, to: UInt8)
    case unknownGroup(UInt32)
    case groupExists(UInt32)
    case groupLoop(UInt32)
    case badOutputPort(PortNumber)

    public var description: String {
        switch self {
        case .tableFull(let limit): "flow table full (limit \(limit) flows)"
        case .overlap: "flow overlaps an existing flow of the same priority (check_overlap)"
        case .badTable(let t): "no table \(t)"
        case .badGotoTable(let from, let to): "goto_table:\(to) from table \(from): must go to a later table"
        case .unknownGroup(let g): "group \(g) does not exist"
        case .groupExists(let g): "group \(g) already exists"
        case .groupLoop(let g): "group \(g) would chain into itself"
        case .badOutputPort(let p): "output to port \(p), which does not exist"
        }
    }
}

/// Which flows a modify or delete concerns (OpenFlow FLOW_MOD / flow stats request fields).
public struct FlowSelector: Sendable {
    /// nil = every table (OFPTT_ALL).
    public var table: UInt8?
    public var match: FlowMatch
    /// Strict: identical match and this priority; otherwise every flow the match subsumes.
    public var strictPriority: UInt16?
    public var cookie: UInt64 = 0
    public var cookieMask: UInt64 = 0
    public var outPort: PortNumber = .any
    public var outGroup: UInt32 = 0xFFFF_FFFF

    public init(table: UInt8? = nil, match: FlowMatch = FlowMatch(), strictPriority: UInt16? = nil,
                cookie: UInt64 = 0, cookieMask: UInt64 = 0, outPort: PortNumber = .any, outGroup: UInt32 = 0xFFFF_FFFF) {
        self.table = table; self.match = match; self.strictPriority = strictPriority
        self.cookie = cookie; self.cookieMask = cookieMask; self.outPort = outPort; self.outGroup = outGroup
    }

    public static let all = FlowSelector()

    func selects(_ e: FlowEntry) -> Bool {
        if let t = table, e.table != t { return false }
        if e.cookie & cookieMask != cookie & cookieMask { return false }
        if let p = strictPriority {
            guard e.priority == p, e.match == match else { return false }
        } else if !e.match.isSubsumed(by: match) {
            return false
        }
        if outPort != .any {
            let outputs = e.spec.instructions.allActions.contains { if case .output(let port, _) = $0 { port == outPort } else { false } }
            if !outputs { return false }
        }
        if outGroup != 0xFFFF_FFFF {
            let groups = e.spec.instructions.allActions.contains { if case .group(let g) = $0 { g == outGroup } else { false } }
            if !groups { return false }
        }
        return true
    }
}

/// Why a flow left the table (OFPRR_*).
public enum FlowRemovedReason: UInt8, Sendable {
    case idleTimeout = 0, hardTimeout = 1, delete = 2, groupDelete = 3
}
