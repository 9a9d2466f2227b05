import Packet

/// A flow to add: everything an OpenFlow FLOW_MOD add carries.
public struct FlowSpec: Hashable, Sendable {
    public var table: UInt8 = 0
    public var priority: UInt16 = 32768
    public var match = FlowMatch()
    public var instructions = Instructions()
    public var cookie: UInt64 = 0
    /// Seconds; 0 = none.
    public var idleTimeout: UInt16 = 0
    public var hardTimeout: UInt16 = 0
    /// OFPFF_SEND_FLOW_REM etc. (spec §7.3.4.1).
    public var flags: UInt16 = 0

    public init(table: UInt8 = 0, priority: UInt16 = 32768, match: FlowMatch = FlowMatch(),
                instructions: Instructions = Instructions(), cookie: UInt64 = 0,
                idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0, flags: UInt16 = 0) {
        self.table = table; self.priority = priority; self.match = match; self.instructions = instructions
        self.cookie = cookie; self.idleTimeout = idleTimeout; self.hardTimeout = hardTimeout; self.flags = flags
    }
}
