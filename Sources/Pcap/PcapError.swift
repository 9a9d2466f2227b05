import CPcap

/// A failure reported by libpcap (or by the system call we made on its behalf), with what we were
/// doing and on which file, interface or filter, so the message stands on its own in a log.
public struct PcapError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was being attempted when libpcap failed.
    public enum Operation: String, Sendable, Equatable {
        case openFile = "cannot open capture file"
        case readFile = "cannot read capture file"
        case createDumpFile = "cannot create capture file"
        case writeFile = "cannot write capture file"
        case openInterface = "cannot open interface"
        case readInterface = "cannot capture on interface"
        case compileFilter = "invalid capture filter"
        case installFilter = "cannot install capture filter"
        case statistics = "cannot read capture statistics"
    }

    public var operation: Operation
    /// The path, interface name, or filter expression the operation was about.
    public var subject: String
    /// libpcap's own words (from `pcap_geterr`, its error buffer, or `pcap_statustostr`).
    public var message: String
    /// libpcap's status code when the call returned one, so callers can tell a missing
    /// interface from missing permission without parsing text.
    public var status: Status?

    /// A `PCAP_ERROR_*` (or positive `PCAP_WARNING_*`) code.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// libpcap's words for the code, e.g. "No such device exists". `pcap_statustostr`.
        public var description: String { String(cString: pcap_statustostr(rawValue)) }

        public static let generic = Status(rawValue: PCAP_ERROR)
        public static let noSuchDevice = Status(rawValue: PCAP_ERROR_NO_SUCH_DEVICE)
        public static let permissionDenied = Status(rawValue: PCAP_ERROR_PERM_DENIED)
        public static let promiscuousPermissionDenied = Status(rawValue: PCAP_ERROR_PROMISC_PERM_DENIED)
        public static let interfaceNotUp = Status(rawValue: PCAP_ERROR_IFACE_NOT_UP)
        public static let timestampPrecisionNotSupported = Status(rawValue: PCAP_ERROR_TSTAMP_PRECISION_NOTSUP)
    }

    public init(_ operation: Operation, subject: String, message: String, status: Int32? = nil) {
        self.operation = operation
        self.subject = subject
        self.message = message
        self.status = status.map(Status.init(rawValue:))
    }

    public var description: String {
        // libpcap often starts its message with the path it was given; saying it twice is noise.
        var detail = message
        if detail.hasPrefix(subject + ": ") { detail.removeFirst(subject.count + 2) }
        return detail.isEmpty
            ? "\(operation.rawValue) \(subject)"
            : "\(operation.rawValue) \(subject): \(detail)"
    }
}
