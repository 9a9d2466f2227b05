import Synchronization

/// Why a frame was dropped. Every drop in the switch is counted under one of these.
public enum DropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    case malformed, vlanNotCarried, tableMiss, actionDrop, ttlExpired, noBuffer, txError
    case loopback, portDown, controllerUnavailable, packetInRateLimit, unknownPort, macTableFull
    /// Dropped by the kernel before the switch read it: an AF_PACKET socket's receive queue
    /// or a TAP device's queue toward the switch was full. Counted by the housekeeping thread,
    /// the only writer of this reason's counter.
    case kernelQueueFull

    public var description: String {
        switch self {
        case .malformed: "malformed"
        case .vlanNotCarried: "vlan-not-carried"
        case .tableMiss: "table-miss"
        case .actionDrop: "action-drop"
        case .ttlExpired: "ttl-expired"
        case .noBuffer: "no-buffer"
        case .txError: "tx-error"
        case .loopback: "same-port"
        case .portDown: "port-down"
        case .controllerUnavailable: "no-controller"
        case .packetInRateLimit: "packet-in-rate-limit"
        case .unknownPort: "unknown-port"
        case .macTableFull: "mac-table-full"
        case .kernelQueueFull: "kernel-queue-full"
        }
    }
}

/// Counters of one port (or of the whole switch for drops not tied to a port). One writer
/// (the datapath thread), relaxed loads elsewhere. The atomics are stored inline (and the drop
/// counters in one block of their own), not as an object each, so counting retains nothing.
public final class PortCounters: @unchecked Sendable {
    let rxPacketsA = Atomic<UInt64>(0), rxBytesA = Atomic<UInt64>(0)
    let txPacketsA = Atomic<UInt64>(0), txBytesA = Atomic<UInt64>(0)
    let rxErrorsA = Atomic<UInt64>(0), txErrorsA = Atomic<UInt64>(0)
    /// One counter per `DropReason`, indexed by its raw value; written only through `add`.
    private let drops: UnsafeMutablePointer<Atomic<UInt64>>

    public init() {
        drops = .allocate(capacity: DropReason.allCases.count)
        for i in DropReason.allCases.indices { (drops + i).initialize(to: Atomic(0)) }
    }

    deinit {
        drops.deinitialize(count: DropReason.allCases.count)
        drops.deallocate()
    }

    @inline(__always) static func add(_ a: borrowing Atomic<UInt64>, _ n: UInt64) {
        a.store(a.load(ordering: .relaxed) &+ n, ordering: .relaxed)
    }

    @inline(__always) public func received(packets: UInt64, bytes: UInt64) {
        Self.add(rxPacketsA, packets); Self.add(rxBytesA, bytes)
    }
    @inline(__always) public func sent(packets: UInt64, bytes: UInt64) {
        Self.add(txPacketsA, packets); Self.add(txBytesA, bytes)
    }
    @inline(__always) public func dropped(_ reason: DropReason, _ n: UInt64 = 1) { Self.add(drops[reason.rawValue], n) }
    public func rxError() { Self.add(rxErrorsA, 1) }
    public func txError() { Self.add(txErrorsA, 1) }

    public var rxPackets: UInt64 { rxPacketsA.load(ordering: .relaxed) }
    public var rxBytes: UInt64 { rxBytesA.load(ordering: .relaxed) }
    public var txPackets: UInt64 { txPacketsA.load(ordering: .relaxed) }
    public var txBytes: UInt64 { txBytesA.load(ordering: .relaxed) }
    public var rxErrors: UInt64 { rxErrorsA.load(ordering: .relaxed) }
    public var txErrors: UInt64 { txErrorsA.load(ordering: .relaxed) }
    public func drops(_ reason: DropReason) -> UInt64 { drops[reason.rawValue].load(ordering: .relaxed) }
    public var totalDrops: UInt64 { DropReason.allCases.reduce(0) { $0 + drops($1) } }

    /// Non-zero drop counters by reason.
    public var dropSummary: [(DropReason, UInt64)] {
        DropReason.allCases.compactMap { r in let n = drops(r); return n > 0 ? (r, n) : nil }
    }
}
