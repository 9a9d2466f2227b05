import FlowRules
import Packet

/// A flat operation the datapath runs on a frame: the pipeline's tables, instructions and
/// action sets resolved for one flow key (what Open vSwitch calls datapath actions).
public enum DatapathOp: Hashable, Sendable {
    case setField(FlowField, FieldValue)
    case pushVLAN(UInt16)
    case popVLAN
    case modVLANVID(UInt16)
    case modVLANPCP(UInt8)
    case decTTL
    /// A port number or a reserved port (IN_PORT, FLOOD, ALL, LOCAL) resolved at run time.
    case output(PortNumber)
    /// The VLAN-aware learning switch.
    case normal
    case controller(maxLength: UInt16, reason: PacketInReason, tableID: UInt8, cookie: UInt64)
    /// Run `ops` on a copy of the frame, leaving the original untouched (group buckets).
    case clone([DatapathOp])
}

/// Why a packet goes to the controller (OFPR_*).
public enum PacketInReason: UInt8, Hashable, Sendable {
    case noMatch = 0
    case action = 1
    case invalidTTL = 2
}

/// The translation of one flow key: its operations, and the flows whose counters it bumps.
public struct DatapathProgram: Sendable {
    public var ops: [DatapathOp]
    public var flows: [FlowStats]
    /// True when no table matched at some stage (table miss without a miss flow).
    public var tableMiss: Bool

    public init(ops: [DatapathOp] = [], flows: [FlowStats] = [], tableMiss: Bool = false) {
        self.ops = ops; self.flows = flows; self.tableMiss = tableMiss
    }

    public var dropsEverything: Bool { ops.isEmpty }
}

/// One step of a pipeline trace, as `ofproto/trace` prints it.
public struct TraceStep: Sendable, CustomStringConvertible {
    public var table: UInt8
    public var flow: FlowSpec?
    public var note: String

    public var description: String {
        if let flow { return " \(table). \(flow.priority > 0 ? "priority \(flow.priority), " : "")cookie 0x\(String(flow.cookie, radix: 16)) -> \(note)" }
        return " \(table). No match. -> \(note)"
    }
}
