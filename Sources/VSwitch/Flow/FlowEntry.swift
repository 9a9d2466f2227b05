import Synchronization
import FlowRules
import Packet

/// Counters of one flow, written by the datapath thread and read by the control plane.
/// Relaxed atomics: each counter has one writer; readers only need a recent value. They are
/// stored inline (`Synchronization.Atomic`), not as objects of their own (`ManagedAtomic`),
/// so bumping them per frame retains nothing.
public final class FlowStats: Sendable {
    let packets = Atomic<UInt64>(0)
    let bytes = Atomic<UInt64>(0)
    /// Monotonic nanoseconds of the last hit (for idle timeouts).
    let lastUsed: Atomic<UInt64>

    init(now: UInt64) { lastUsed = Atomic(now) }

    func hit(packets p: UInt64, bytes b: UInt64, now: UInt64) {
        packets.store(packets.load(ordering: .relaxed) &+ p, ordering: .relaxed)
        bytes.store(bytes.load(ordering: .relaxed) &+ b, ordering: .relaxed)
        lastUsed.store(now, ordering: .relaxed)
    }

    public var packetCount: UInt64 { packets.load(ordering: .relaxed) }
    public var byteCount: UInt64 { bytes.load(ordering: .relaxed) }
    public var lastUsedNanoseconds: UInt64 { lastUsed.load(ordering: .relaxed) }

    func reset() {
        packets.store(0, ordering: .relaxed)
        bytes.store(0, ordering: .relaxed)
    }
}

/// An installed flow: the spec plus its identity, install time and live counters.
public final class FlowEntry: Sendable {
    public let spec: FlowSpec
    /// Monotonic nanoseconds when installed (for duration and hard timeouts).
    public let installedAt: UInt64
    public let stats: FlowStats
    /// Unique within a switch, for stable ordering and diagnostics.
    public let id: UInt64

    public init(spec: FlowSpec, id: UInt64, now: UInt64, stats: FlowStats? = nil) {
        self.spec = spec
        self.id = id
        self.installedAt = now
        self.stats = stats ?? FlowStats(now: now)
    }

    public var table: UInt8 { spec.table }
    public var priority: UInt16 { spec.priority }
    public var match: FlowMatch { spec.match }
    public var cookie: UInt64 { spec.cookie }
    /// Whether an idle or hard timeout can remove it (the housekeeping scan looks only at these).
    public var hasTimeout: Bool { spec.idleTimeout > 0 || spec.hardTimeout > 0 }
}
