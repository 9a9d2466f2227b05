import CPcap

/// A link-layer header type (libpcap's `DLT_*` value), which says how to parse each frame.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `DLT_NULL`: BSD loopback, a 4-byte host-order address family.
    public static let null = LinkType(rawValue: DLT_NULL)
    /// `DLT_EN10MB`: Ethernet (and 802.1Q, VXLAN inner frames, TAP and veth ports).
    public static let ethernet = LinkType(rawValue: DLT_EN10MB)
    /// `DLT_RAW`: bare IPv4 or IPv6 packets, as a TUN device carries them.
    public static let raw = LinkType(rawValue: DLT_RAW)
    /// `DLT_LINUX_SLL`: Linux "cooked" capture, what capturing on `any` gives.
    public static let linuxCooked = LinkType(rawValue: DLT_LINUX_SLL)
    /// `DLT_LINUX_SLL2`: Linux cooked capture v2, which also names the interface.
    public static let linuxCookedV2 = LinkType(rawValue: DLT_LINUX_SLL2)

    /// libpcap's short name (`EN10MB`, `RAW`, …) via `pcap_datalink_val_to_name`, or the number.
    public var name: String {
        guard let name = pcap_datalink_val_to_name(rawValue) else { return "DLT \(rawValue)" }
        return String(cString: name)
    }

    public var description: String { name }
}
