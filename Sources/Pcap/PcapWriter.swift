import CPcap
import Glibc

/// Writes frames to a classic pcap file, at microsecond or nanosecond precision (the latter
/// with the `0xa1b23c4d` magic that tcpdump, tshark and scapy read).
///
/// `write` cannot fail on its own: libpcap buffers through stdio and reports nothing per frame.
/// A failed write (disk full, I/O error) surfaces at `flush()`, so call it before `close()`
/// when the file matters. Not `Sendable`: frames from one task, in order.
public final class PcapWriter {
    private let handle: PcapHandle
    private var dumper: OpaquePointer?
    public let path: String
    public let linkType: Int32
    public let snapshotLength: Int32
    public let precision: TimestampPrecision

    /// Creates (or truncates) `path` and writes the file header. A `snaplen` of 0 or less means
    /// 262144, as for live captures. `pcap_open_dead_with_tstamp_precision`, `pcap_dump_open`.
    public init(path: String, linkType: Int32 = LinkType.ethernet.rawValue,
                precision: TimestampPrecision = .microseconds, snaplen: Int32 = 262144) throws(PcapError) {
        let snapshotLength = snaplen > 0 ? snaplen : 262144
        let handle = try PcapHandle.openDead(linkType: linkType, snapshotLength: snapshotLength,
                                             precision: precision, subject: path)
        guard let dumper = pcap_dump_open(try handle.open(for: .createDumpFile), path) else {
            throw PcapError(.createDumpFile, subject: path, message: handle.lastError, status: PCAP_ERROR)
        }
        self.handle = handle
        self.dumper = dumper
        self.path = path
        self.linkType = linkType
        self.snapshotLength = snapshotLength
        self.precision = precision
    }

    /// The same, naming the link type.
    public convenience init(path: String, linkType: LinkType,
                            precision: TimestampPrecision = .microseconds, snaplen: Int32 = 262144) throws(PcapError) {
        try self.init(path: path, linkType: linkType.rawValue, precision: precision, snaplen: snaplen)
    }

    deinit { close() }

    /// Appends one frame. Bytes past the snapshot length are left out and `originalLength`
    /// (default: all of `bytes`) records the frame's real size, because readers, libpcap among
    /// them, refuse records longer than the header's snapshot length. A microsecond file keeps
    /// the timestamp truncated to the microsecond. Does nothing after `close()`. `pcap_dump`.
    public func write(_ bytes: UnsafeRawBufferPointer, timestamp: PcapTimestamp, originalLength: Int? = nil) {
        guard let dumper else { return }
        let captured = min(bytes.count, Int(snapshotLength))
        let length = max(originalLength ?? bytes.count, captured)
        var header = pcap_pkthdr()
        header.ts = timestamp.pcapTime(precision: precision)
        header.caplen = UInt32(captured)
        header.len = UInt32(clamping: length)
        withUnsafePointer(to: 0 as UInt8) { empty in
            let start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty
            // libpcap passes the dumper through pcap_handler's `u_char *user` argument.
            pcap_dump(UnsafeMutablePointer<UInt8>(dumper), &header, start)
        }
    }

    public func write(_ bytes: [UInt8], timestamp: PcapTimestamp) {
        bytes.withUnsafeBytes { write($0, timestamp: timestamp) }
    }

    public func write(_ packet: PcapPacket) {
        packet.data.withUnsafeBytes { write($0, timestamp: packet.timestamp, originalLength: packet.originalLength) }
    }

    /// Pushes buffered frames to the file and reports any write that failed since the last
    /// flush. `pcap_dump_flush`, `pcap_dump_file`, `ferror`.
    public func flush() throws(PcapError) {
        guard let dumper else {
            throw PcapError(.writeFile, subject: path, message: "the writer is closed")
        }
        errno = 0
        let flushed = pcap_dump_flush(dumper) == 0
        let code = errno
        let file = pcap_dump_file(dumper)
        guard flushed, file.map({ ferror($0) == 0 }) ?? true else {
            // ferror() says that a write failed, not why; errno may have moved on since.
            let reason = code != 0 ? String(cString: strerror(code)) : "a write failed"
            if let file { clearerr(file) }
            throw PcapError(.writeFile, subject: path, message: reason)
        }
    }

    /// Flushes and closes the file; safe to call twice. Errors are not reported here: call
    /// `flush()` first to learn of them. `pcap_dump_close`.
    public func close() {
        guard let dumper else { return }
        self.dumper = nil
        pcap_dump_close(dumper)
        handle.close()
    }
}
