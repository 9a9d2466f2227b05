import FlowRules
import Atomics
import Packet

/// One published version of the switch's tables and groups. Never mutated after publication:
/// the datapath loads the current version once per batch without taking a lock, and a flow-mod
/// publishes a new version (RCU style). `generation` invalidates the datapath's flow cache.
public final class PipelineSnapshot: AtomicReference, Sendable {
    public static let tableCount = 16

    public let tables: [FlowTable]
    public let groups: [UInt32: GroupEntry]
    public let generation: UInt64
    /// A miss in table 0 goes to NORMAL instead of being dropped: fail-mode standalone with no
    /// controller connected (Open vSwitch's "fail open").
    public let missToNormal: Bool
    /// Per group, its counters (carried from version to version while the group lives).
    public let groupCounters: [UInt32: GroupCounters]

    public init(tables: [FlowTable] = Array(repeating: FlowTable(), count: tableCount),
                groups: [UInt32: GroupEntry] = [:], generation: UInt64 = 0, missToNormal: Bool = false,
                groupCounters: [UInt32: GroupCounters] = [:]) {
        self.tables = tables
        self.groups = groups
        self.groupCounters = groupCounters
        self.generation = generation
        self.missToNormal = missToNormal
    }

    public var flowCount: Int { tables.reduce(0) { $0 + $1.count } }
}
