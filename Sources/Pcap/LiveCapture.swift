import CPcap

/// Captures frames from a network interface, optionally through a kernel (BPF) filter.
///
/// The handle is non-blocking and every wait goes through `poll`, so `next(timeoutMilliseconds:)`
/// returns within its timeout and the descriptor can join an event loop. Not `Sendable`: one
/// task reads; to stop it, let its timeout expire and check a flag.
public final class LiveCapture {
    private let handle: PcapHandle
    public let interface: String
    /// The `DLT_*` link type of the frames (1 for Ethernet; `any` gives Linux cooked capture).
    public let linkType: Int32
    /// The precision libpcap delivers timestamps in, as it accepted it.
    public let precision: TimestampPrecision
    /// libpcap's warning if the capture opened with one (say, promiscuous mode unsupported).
    public let activationWarning: String?

    /// The kernel hands a partly filled ring block to us after this long when `immediate` is
    /// off; without it, libpcap on Linux would wait for a full block however long that takes.
    static let bufferTimeoutMilliseconds: Int32 = 100

    /// Opens `interface` for capture. A bad interface, missing permission or a filter libpcap
    /// cannot compile throws, naming the interface (and the filter). `pcap_create`,
    /// `pcap_set_*`, `pcap_activate`, `pcap_setnonblock`, `pcap_compile`, `pcap_setfilter`.
    public init(interface: String, filter: String? = nil, snaplen: Int32 = 262144,
                promiscuous: Bool = true, immediate: Bool = true, bufferSize: Int32? = nil,
                precision: TimestampPrecision = .microseconds) throws(PcapError) {
        let handle = try PcapHandle.create(interface: interface)
        try handle.configure(.init(snapshotLength: snaplen, promiscuous: promiscuous, immediate: immediate,
                                   bufferSize: bufferSize,
                                   bufferTimeoutMilliseconds: LiveCapture.bufferTimeoutMilliseconds,
                                   precision: precision))
        self.activationWarning = try handle.activate()
        try handle.setNonBlocking()
        if let filter { try handle.setFilter(filter) }
        self.handle = handle
        self.interface = interface
        self.linkType = handle.linkType
        self.precision = handle.precision
    }

    deinit { close() }

    /// Replaces the filter. libpcap also filters frames already queued under the old one, so
    /// none slip through. `pcap_compile`, `pcap_setfilter`.
    public func setFilter(_ expression: String) throws(PcapError) {
        try handle.setFilter(expression)
    }

    /// The next frame, waiting at most `timeoutMilliseconds` (0: only what is queued; negative:
    /// without limit). nil when the time passes with nothing. `poll`, `pcap_next_ex`.
    public func next(timeoutMilliseconds: Int32) throws(PcapError) -> PcapPacket? {
        let deadline = Deadline(milliseconds: timeoutMilliseconds)
        var descriptorFlaggedError = false
        while true {
            switch try handle.next(for: .readInterface) {
            case .packet(let header, let bytes):
                return PcapPacket(timestamp: PcapTimestamp(header.pointee.ts, precision: precision),
                                  data: Array(bytes), originalLength: Int(header.pointee.len))
            case .end:
                return nil
            case .nothingYet:
                // An error or hang-up that libpcap did not turn into a failure would otherwise
                // wake every poll and spin until the deadline.
                if descriptorFlaggedError {
                    throw PcapError(.readInterface, subject: interface,
                                    message: "the capture descriptor reports an error or hang-up (is the interface gone?)")
                }
            }
            if deadline.remainingMilliseconds == 0 { return nil }
            switch pollReadable(selectableFileDescriptor, until: deadline) {
            case .success(.timedOut):
                return nil
            case .success(.readable):
                descriptorFlaggedError = false
            case .success(.failed):
                descriptorFlaggedError = true
            case .failure(let error):
                throw PcapError(.readInterface, subject: interface, message: "poll: \(error.text)")
            }
        }
    }

    /// A descriptor that polls readable when frames are queued; -1 once closed.
    /// `pcap_get_selectable_fd`.
    public var selectableFileDescriptor: Int32 { handle.selectableFileDescriptor }

    /// Frames the filter passed, frames dropped for lack of buffer space, and frames the
    /// interface itself dropped, since the capture opened. `pcap_stats`.
    public func statistics() throws(PcapError) -> (received: UInt32, dropped: UInt32, interfaceDropped: UInt32) {
        let stats = try handle.statistics()
        return (stats.ps_recv, stats.ps_drop, stats.ps_ifdrop)
    }

    /// Stops the capture and releases the socket; safe to call twice; reads afterwards throw.
    /// `pcap_close`.
    public func close() { handle.close() }
}
