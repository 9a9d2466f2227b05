import CPcap
import Glibc

/// The resolution of the timestamps a capture file holds or a capture delivers.
public enum TimestampPrecision: Sendable, Hashable {
    case microseconds, nanoseconds

    /// libpcap's `PCAP_TSTAMP_PRECISION_*` value.
    var pcapValue: UInt32 {
        switch self {
        case .microseconds: UInt32(PCAP_TSTAMP_PRECISION_MICRO)
        case .nanoseconds: UInt32(PCAP_TSTAMP_PRECISION_NANO)
        }
    }

    init(pcapValue: Int32) {
        self = pcapValue == PCAP_TSTAMP_PRECISION_NANO ? .nanoseconds : .microseconds
    }
}

/// A point in time since the Unix epoch, held to the nanosecond whatever the file's precision.
public struct PcapTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    /// Always below 1_000_000_000.
    public var nanoseconds: UInt32

    /// Carries whole seconds out of `nanoseconds`, so any pair of values is a valid timestamp.
    public init(seconds: Int64, nanoseconds: UInt32 = 0) {
        self.seconds = seconds &+ Int64(nanoseconds / 1_000_000_000)
        self.nanoseconds = nanoseconds % 1_000_000_000
    }

    public init(seconds: Int64, microseconds: UInt32) {
        self.init(seconds: seconds &+ Int64(microseconds / 1_000_000),
                  nanoseconds: (microseconds % 1_000_000) * 1_000)
    }

    /// The wall clock now (`clock_gettime(CLOCK_REALTIME)`), for stamping frames we write.
    public static var now: PcapTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return PcapTimestamp(seconds: Int64(spec.tv_sec), nanoseconds: UInt32(spec.tv_nsec))
    }

    /// The sub-second part at microsecond resolution (truncated, as libpcap does).
    public var microseconds: UInt32 { nanoseconds / 1_000 }

    public static func < (lhs: PcapTimestamp, rhs: PcapTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// `seconds.nanoseconds` with nine fraction digits, e.g. `1700000000.123456789`: the form
    /// tshark prints for `frame.time_epoch`, so the two can be compared as text.
    public var description: String {
        let fraction = String(nanoseconds)
        return "\(seconds)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }
}

extension PcapTimestamp {
    /// Reads a `pcap_pkthdr` time, whose `tv_usec` holds micro- or nanoseconds depending on the
    /// handle's precision. A corrupt file can put anything there, so nothing here may trap.
    init(_ time: Glibc.timeval, precision: TimestampPrecision) {
        let perSecond: Int64 = precision == .nanoseconds ? 1_000_000_000 : 1_000_000
        let fraction = Int64(time.tv_usec)
        let carry = fraction >= 0 ? fraction / perSecond : (fraction + 1) / perSecond - 1
        let remainder = fraction - carry * perSecond
        let nanos = precision == .nanoseconds ? remainder : remainder * 1_000
        self.init(seconds: Int64(time.tv_sec) &+ carry, nanoseconds: UInt32(nanos))
    }

    /// The `pcap_pkthdr` time for a handle of the given precision; microsecond files truncate.
    func pcapTime(precision: TimestampPrecision) -> Glibc.timeval {
        let fraction = precision == .nanoseconds ? nanoseconds : microseconds
        return Glibc.timeval(tv_sec: Int(truncatingIfNeeded: seconds), tv_usec: Int(fraction))
    }
}
