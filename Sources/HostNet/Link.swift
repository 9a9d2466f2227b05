import CNetlink
import Glibc

/// A network interface as the kernel reports it.
public struct LinkInfo: Sendable, Equatable {
    public var index: Int32
    public var name: String
    /// Hardware address as lowercase `aa:bb:cc:dd:ee:ff`; nil for links without one.
    public var mac: String?
    public var mtu: UInt32
    /// Administratively up (IFF_UP).
    public var isUp: Bool
    /// The lower layer reports a carrier (IFLA_CARRIER); a veth has one only while its peer is up.
    public var hasCarrier: Bool
    /// The rtnetlink kind (`veth`, `tun`, `vxlan`, …); nil for physical devices and loopback.
    public var kind: String?
    /// Set on `LinkMonitor` events for a link that was removed (RTM_DELLINK).
    public var isDeleted: Bool = false
    /// Frames the kernel dropped on their way out of this interface (IFLA_STATS64
    /// tx_dropped). For a TAP these are frames its host sent that the reader's queue had no
    /// room for.
    public var txDropped: UInt64 = 0

    public init(index: Int32, name: String, mac: String?, mtu: UInt32, isUp: Bool,
                hasCarrier: Bool, kind: String?, isDeleted: Bool = false) {
        self.index = index; self.name = name; self.mac = mac; self.mtu = mtu
        self.isUp = isUp; self.hasCarrier = hasCarrier; self.kind = kind; self.isDeleted = isDeleted
    }

    /// Reads a libnl `struct rtnl_link`.
    init(_ link: OpaquePointer) {
        let flags = rtnl_link_get_flags(link)
        self.init(
            index: rtnl_link_get_ifindex(link),
            name: rtnl_link_get_name(link).map { String(cString: $0) } ?? "",
            mac: rtnl_link_get_addr(link).flatMap(MACAddress.format),
            mtu: rtnl_link_get_mtu(link),
            isUp: flags & UInt32(Glibc.IFF_UP) != 0,
            hasCarrier: rtnl_link_get_carrier(link) != 0,
            kind: rtnl_link_get_type(link).map { String(cString: $0) })
        txDropped = rtnl_link_get_stat(link, RTNL_LINK_TX_DROPPED)
    }
}

/// Interface names as the kernel accepts them (dev_valid_name). Checked here because libnl
/// copies a name into a fixed IFNAMSIZ buffer and silently cuts it short.
enum InterfaceName {
    static let maxLength = Int(Glibc.IFNAMSIZ) - 1

    static func validate(_ name: String, _ operation: String) throws(HostNetError) {
        if name.isEmpty || name == "." || name == ".." {
            throw .invalid(operation, "\"\(name)\"", "not a valid interface name")
        }
        if name.utf8.count > maxLength {
            throw .invalid(operation, name, "interface name longer than \(maxLength) bytes")
        }
        if name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
            throw .invalid(operation, name, "interface name contains '/', ':' or whitespace")
        }
    }
}

extension RouteNetlink {
    /// All links in this namespace, from a fresh link cache (rtnl_link_alloc_cache(3)).
    public func links() throws(HostNetError) -> [LinkInfo] {
        try withSocket { (socket) throws(HostNetError) in
            var cache: OpaquePointer?
            try socket.check("list links", namespaceLabel) {
                rtnl_link_alloc_cache($0, AF_UNSPEC, &cache)
            }
            defer { nl_cache_free(cache) }
            var result: [LinkInfo] = []
            var object = nl_cache_get_first(cache)
            while let current = object {
                result.append(LinkInfo(current))
                object = nl_cache_get_next(current)
            }
            return result
        }
    }

    /// The link called `name`, or nil when there is none (rtnl_link_get_kernel(3)).
    public func link(named name: String) throws(HostNetError) -> LinkInfo? {
        try InterfaceName.validate(name, "look up link")
        return try withSocket { (socket) throws(HostNetError) -> LinkInfo? in
            guard let link = try socket.fetchLink(name, "look up link", missingIsError: false) else {
                return nil
            }
            defer { rtnl_link_put(link) }
            return LinkInfo(link)
        }
    }

    /// How errors name this socket's namespace when there is no better subject.
    var namespaceLabel: String {
        namespace.map { "in namespace \($0.name)" } ?? "in current namespace"
    }
}

extension NetlinkSocket {
    /// rtnl_link_get_kernel(3) by name. The caller owns the returned link (rtnl_link_put).
    /// A missing link is nil, or with `missingIsError` the error "OPERATION NAME: No such device".
    func fetchLink(
        _ name: String, _ operation: String, subject: String? = nil, missingIsError: Bool = true
    ) throws(HostNetError) -> OpaquePointer? {
        let subject = subject ?? name
        var link: OpaquePointer?
        let code = rtnl_link_get_kernel(handle, 0, name, &link)
        if code == -NLE_NODEV || code == -NLE_OBJ_NOTFOUND {
            if missingIsError { throw .system(operation, subject, errno: ENODEV) }
            return nil
        }
        if code < 0 { throw .netlink(operation, subject, code: code) }
        return link
    }
}

/// Hardware addresses between text and libnl's `struct nl_addr`.
enum MACAddress {
    /// Lowercase colon-separated hex, or nil for an empty address.
    static func format(_ address: OpaquePointer) -> String? {
        let length = Int(nl_addr_get_len(address))
        guard length > 0, let bytes = nl_addr_get_binary_addr(address) else { return nil }
        let buffer = UnsafeRawBufferPointer(start: bytes, count: length)
        return buffer.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (nl_addr_parse(3) with AF_LLC). The caller owns the result
    /// (nl_addr_put).
    static func parse(_ text: String, _ operation: String, _ subject: String) throws(HostNetError) -> OpaquePointer {
        let octets = text.split(separator: ":", omittingEmptySubsequences: false)
        guard octets.count == 6, octets.allSatisfy({ $0.count == 2 && UInt8($0, radix: 16) != nil }) else {
            throw .invalid(operation, subject, "\"\(text)\" is not a MAC address (want aa:bb:cc:dd:ee:ff)")
        }
        var address: OpaquePointer?
        let code = nl_addr_parse(text, AF_LLC, &address)
        guard code >= 0, let address else { throw .netlink(operation, subject, code: code) }
        return address
    }
}
