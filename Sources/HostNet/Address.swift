import CNetlink
import Glibc

extension RouteNetlink {
    /// Adds `cidr` ("10.0.0.1/24", "2001:db8::1/64") to the link (rtnl_addr_add(3)). IPv6
    /// addresses skip duplicate address detection (IFA_F_NODAD): otherwise they stay tentative
    /// for a second or more and cannot be used as a source, which tests and labs trip over.
    public func addAddress(_ name: String, _ cidr: String) throws(HostNetError) {
        let operation = "add address \(cidr) to"
        try InterfaceName.validate(name, operation)
        let local = try IPPrefix.parse(cidr, operation, name)
        defer { nl_addr_put(local) }
        try withSocket { (socket) throws(HostNetError) in
            guard let link = try socket.fetchLink(name, operation) else { return }
            defer { rtnl_link_put(link) }
            guard let address = rtnl_addr_alloc() else { throw .system(operation, name, errno: ENOMEM) }
            defer { rtnl_addr_put(address) }
            rtnl_addr_set_ifindex(address, rtnl_link_get_ifindex(link))
            try socket.check(operation, name) { _ in rtnl_addr_set_local(address, local) }
            if nl_addr_get_family(local) == AF_INET6 {
                rtnl_addr_set_flags(address, UInt32(IFA_F_NODAD))
            }
            try socket.check(operation, name) { rtnl_addr_add($0, address, NLM_F_EXCL) }
        }
    }

    /// The link's addresses as CIDR strings, IPv4 first as the kernel dumps them
    /// (rtnl_addr_alloc_cache(3)); includes IPv6 link-local addresses.
    public func addresses(_ name: String) throws(HostNetError) -> [String] {
        let operation = "list addresses of"
        try InterfaceName.validate(name, operation)
        return try withSocket { (socket) throws(HostNetError) -> [String] in
            guard let link = try socket.fetchLink(name, operation) else { return [] }
            let index = rtnl_link_get_ifindex(link)
            rtnl_link_put(link)
            var cache: OpaquePointer?
            try socket.check(operation, name) { rtnl_addr_alloc_cache($0, &cache) }
            defer { nl_cache_free(cache) }
            var result: [String] = []
            var object = nl_cache_get_first(cache)
            while let current = object {
                if rtnl_addr_get_ifindex(current) == index, let local = rtnl_addr_get_local(current),
                   let text = IPPrefix.format(local, prefixLength: Int(rtnl_addr_get_prefixlen(current))) {
                    result.append(text)
                }
                object = nl_cache_get_next(current)
            }
            return result
        }
    }
}

/// IP addresses with prefix length, between text and libnl's `struct nl_addr`.
enum IPPrefix {
    /// Parses an IPv4 or IPv6 address, with or without `/prefix` (nl_addr_parse(3)). Refuses
    /// anything else up front: nl_addr_parse would also take MAC and DECnet text, or "default".
    /// The caller owns the result (nl_addr_put).
    static func parse(_ text: String, _ operation: String, _ subject: String) throws(HostNetError) -> OpaquePointer {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let host = String(parts[0])
        var family: Int32 = AF_INET
        var scratch = in6_addr()
        if inet_pton(AF_INET, host, &scratch) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, host, &scratch) == 1 {
            family = AF_INET6
        } else {
            throw .invalid(operation, subject, "\"\(text)\" is not an IPv4 or IPv6 address")
        }
        if parts.count == 2 {
            let limit = family == AF_INET ? 32 : 128
            guard let length = Int(parts[1]), (0...limit).contains(length) else {
                throw .invalid(operation, subject, "\"\(text)\" has a bad prefix length")
            }
        }
        var address: OpaquePointer?
        let code = nl_addr_parse(text, family, &address)
        guard code >= 0, let address else { throw .netlink(operation, subject, code: code) }
        return address
    }

    /// `address/prefix` via inet_ntop(3), the form `ip` prints; nil for a family other than IP.
    static func format(_ address: OpaquePointer, prefixLength: Int) -> String? {
        let family = nl_addr_get_family(address)
        guard family == AF_INET || family == AF_INET6,
              let bytes = nl_addr_get_binary_addr(address) else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + "/\(prefixLength)"
    }
}
