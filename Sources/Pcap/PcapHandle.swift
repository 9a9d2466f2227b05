import CPcap

/// Owns one `pcap_t` (offline, live or dead) and makes its C calls, so `PcapReader`,
/// `PcapWriter` and `LiveCapture` share one audited wrapper instead of three.
final class PcapHandle {
    /// nil once closed; every call checks, so use after `close()` is an error rather than a crash.
    private(set) var pointer: OpaquePointer?
    /// The file path or interface name, quoted in every error.
    let subject: String

    private init(_ pointer: OpaquePointer, subject: String) {
        self.pointer = pointer
        self.subject = subject
    }

    deinit { close() }

    /// Opens a pcap or pcapng file; libpcap scales every timestamp to `precision` whatever the
    /// file holds. `pcap_open_offline_with_tstamp_precision`.
    static func openOffline(path: String, precision: TimestampPrecision) throws(PcapError) -> PcapHandle {
        var errorBuffer = PcapHandle.errorBuffer()
        guard let pointer = pcap_open_offline_with_tstamp_precision(path, precision.pcapValue, &errorBuffer) else {
            throw PcapError(.openFile, subject: path, message: PcapHandle.text(errorBuffer))
        }
        return PcapHandle(pointer, subject: path)
    }

    /// A handle that captures nothing, only describes the link type and snapshot length that a
    /// dump file's header records. `pcap_open_dead_with_tstamp_precision`.
    static func openDead(linkType: Int32, snapshotLength: Int32, precision: TimestampPrecision,
                         subject: String) throws(PcapError) -> PcapHandle {
        guard let pointer = pcap_open_dead_with_tstamp_precision(linkType, snapshotLength, precision.pcapValue) else {
            throw PcapError(.createDumpFile, subject: subject, message: "libpcap could not allocate a handle")
        }
        return PcapHandle(pointer, subject: subject)
    }

    /// An unactivated live handle; options are set next, then `activate()`. `pcap_create`.
    static func create(interface: String) throws(PcapError) -> PcapHandle {
        var errorBuffer = PcapHandle.errorBuffer()
        guard let pointer = pcap_create(interface, &errorBuffer) else {
            throw PcapError(.openInterface, subject: interface, message: PcapHandle.text(errorBuffer))
        }
        return PcapHandle(pointer, subject: interface)
    }

    /// Room for the message of calls that fail before there is a handle to ask.
    static func errorBuffer() -> [CChar] {
        [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
    }

    static func text(_ errorBuffer: [CChar]) -> String {
        String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The handle's pointer, or the error to throw when it was already closed.
    func open(for operation: PcapError.Operation) throws(PcapError) -> OpaquePointer {
        guard let pointer else {
            throw PcapError(operation, subject: subject, message: "the handle is closed")
        }
        return pointer
    }

    /// The text of the last failure on this handle. `pcap_geterr`.
    var lastError: String {
        guard let pointer, let text = pcap_geterr(pointer) else { return "" }
        return String(cString: text)
    }

    /// The `DLT_*` value of the frames. `pcap_datalink`.
    var linkType: Int32 {
        guard let pointer else { return -1 }
        return pcap_datalink(pointer)
    }

    /// The most bytes of a frame that are kept. `pcap_snapshot`.
    var snapshotLength: Int32 {
        guard let pointer else { return 0 }
        return pcap_snapshot(pointer)
    }

    /// What `tv_usec` of each header means on this handle. `pcap_get_tstamp_precision`.
    var precision: TimestampPrecision {
        guard let pointer else { return .microseconds }
        return TimestampPrecision(pcapValue: pcap_get_tstamp_precision(pointer))
    }

    /// The outcome of one read.
    enum ReadResult {
        /// The header and bytes stay valid only until the next read or close.
        case packet(UnsafePointer<pcap_pkthdr>, UnsafeRawBufferPointer)
        /// A live capture had nothing ready (non-blocking, or the buffer timeout expired).
        case nothingYet
        /// The end of a file, or `pcap_breakloop` on a live capture.
        case end
    }

    /// Reads the next frame into libpcap's buffer. `pcap_next_ex`; a truncated or corrupt
    /// record comes back as an error, not as a short frame.
    func next(for operation: PcapError.Operation) throws(PcapError) -> ReadResult {
        let pointer = try open(for: operation)
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(pointer, &header, &data)
        switch status {
        case 1:
            guard let header else {
                throw PcapError(operation, subject: subject, message: "libpcap returned a packet without a header")
            }
            // A zero-length record may come without a data pointer.
            let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : Int(header.pointee.caplen))
            return .packet(UnsafePointer(header), bytes)
        case 0:
            return .nothingYet
        case PCAP_ERROR_BREAK:
            return .end
        default:
            throw PcapError(operation, subject: subject, message: lastError, status: status)
        }
    }

    /// Releases the handle and, for files, the descriptor; safe to call twice. `pcap_close`.
    func close() {
        guard let pointer else { return }
        self.pointer = nil
        pcap_close(pointer)
    }
}
