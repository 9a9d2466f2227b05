import CPcap

/// Reads frames from a pcap file (microsecond or nanosecond) or a pcapng file.
///
/// Not `Sendable`: libpcap's handle keeps one read buffer, so one reader belongs to one task.
public final class PcapReader {
    private let handle: PcapHandle
    /// The path the reader was opened on.
    public let path: String

    /// Opens `path` (`-` is standard input). Timestamps come back at `precision` whatever the
    /// file stores: libpcap scales them. `pcap_open_offline_with_tstamp_precision`.
    public init(path: String, precision: TimestampPrecision = .nanoseconds) throws(PcapError) {
        self.handle = try PcapHandle.openOffline(path: path, precision: precision)
        self.path = path
        self.precision = handle.precision
    }

    /// The `DLT_*` link type of the frames (`LinkType.ethernet.rawValue` is 1). `pcap_datalink`.
    public var linkType: Int32 { handle.linkType }

    /// The most bytes of a frame the file says it kept. `pcap_snapshot`.
    public var snapshotLength: Int32 { handle.snapshotLength }

    /// The precision timestamps are delivered in (read once: it cannot change on a file).
    /// `pcap_get_tstamp_precision`.
    public let precision: TimestampPrecision

    /// Only frames that match a tcpdump-style expression are returned from here on.
    /// `pcap_compile`, `pcap_setfilter`.
    public func setFilter(_ expression: String) throws(PcapError) {
        try handle.setFilter(expression)
    }

    /// Hands the next frame to `body` without copying it; the buffer is valid only inside `body`.
    /// Returns nil at the end of the file; a truncated or corrupt record throws. `pcap_next_ex`.
    public func withNextPacket<R>(_ body: (PcapTimestamp, UnsafeRawBufferPointer) -> R) throws(PcapError) -> R? {
        switch try handle.next(for: .readFile) {
        case .packet(let header, let bytes):
            return body(PcapTimestamp(header.pointee.ts, precision: precision), bytes)
        case .nothingYet, .end:
            return nil
        }
    }

    /// The next frame, copied; nil at the end of the file. `pcap_next_ex`.
    public func next() throws(PcapError) -> PcapPacket? {
        switch try handle.next(for: .readFile) {
        case .packet(let header, let bytes):
            return PcapPacket(timestamp: PcapTimestamp(header.pointee.ts, precision: precision),
                              data: Array(bytes), originalLength: Int(header.pointee.len))
        case .nothingYet, .end:
            return nil
        }
    }

    /// Every remaining frame. A damaged record throws, and the frames before it are lost with
    /// the call: use `next()` in a loop to keep them.
    public func readAll() throws(PcapError) -> [PcapPacket] {
        var packets: [PcapPacket] = []
        while let packet = try next() { packets.append(packet) }
        return packets
    }

    /// Releases the file now rather than at deinit; reads after this throw. `pcap_close`.
    public func close() { handle.close() }
}
