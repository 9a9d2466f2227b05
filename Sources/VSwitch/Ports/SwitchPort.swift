import FlowRules
import Synchronization
import Packet

/// The kind of a switch port, as the configuration names it.
public enum PortKind: String, Sendable {
    case tap, system, pcap
}

/// A port of the switch: a source and sink of frames in pooled buffers, moved in batches.
///
/// The datapath calls `receive` and `send` once per batch (an existential call per batch, not
/// per packet). Implementations own their file descriptor.
public protocol SwitchPort: AnyObject, Sendable {
    var number: PortNumber { get }
    var name: String { get }
    var kind: PortKind { get }
    /// Pollable descriptor for receive readiness; -1 for ports that are not polled (pcap).
    var fileDescriptor: Int32 { get }
    var counters: PortCounters { get }
    var state: PortState { get }

    /// Reads up to `limit` frames into buffers from `pool`, appending to `packets`. Never blocks.
    func receive(pool: PacketBufferPool, into packets: inout [PacketRef], limit: Int) -> Int
    /// Sends the frames; the caller keeps ownership of the buffers. Returns how many were sent.
    func send(_ packets: ArraySlice<PacketRef>, pool: PacketBufferPool) -> Int
    /// Releases the descriptor (and the device if the port created it).
    func close()
}

/// Administrative and link state of a port, readable from any thread.
public final class PortState: Sendable {
    let adminUp = Atomic<Bool>(true)
    let carrier = Atomic<Bool>(true)

    public init() {}

    public var isAdminUp: Bool {
        get { adminUp.load(ordering: .relaxed) }
        set { adminUp.store(newValue, ordering: .relaxed) }
    }
    public var hasCarrier: Bool {
        get { carrier.load(ordering: .relaxed) }
        set { carrier.store(newValue, ordering: .relaxed) }
    }
    /// Live for forwarding and for fast-failover watch ports.
    @inline(__always) public var isLive: Bool { isAdminUp && hasCarrier }
}
