import CNetlink
import Glibc

extension RouteNetlink {
    /// Sets the link administratively up or down (IFF_UP through rtnl_link_change(3)).
    public func setUp(_ name: String, _ up: Bool = true) throws(HostNetError) {
        try change(name, up ? "set link up" : "set link down") { changes in
            if up {
                rtnl_link_set_flags(changes, UInt32(Glibc.IFF_UP))
            } else {
                rtnl_link_unset_flags(changes, UInt32(Glibc.IFF_UP))
            }
        }
    }

    /// Sets the hardware address, `aa:bb:cc:dd:ee:ff` (IFLA_ADDRESS through rtnl_link_change(3)).
    public func setMAC(_ name: String, _ mac: String) throws(HostNetError) {
        let operation = "set MAC address of"
        let address = try MACAddress.parse(mac, operation, name)
        defer { nl_addr_put(address) }
        try change(name, operation) { rtnl_link_set_addr($0, address) }
    }

    /// Sets the MTU (IFLA_MTU through rtnl_link_change(3)); the kernel checks the device's range.
    public func setMTU(_ name: String, _ mtu: UInt32) throws(HostNetError) {
        try change(name, "set MTU of") { rtnl_link_set_mtu($0, mtu) }
    }

    /// Renames a link (IFLA_IFNAME through rtnl_link_change(3)). The kernel may refuse (EBUSY)
    /// while the link is up.
    public func rename(_ name: String, to newName: String) throws(HostNetError) {
        try InterfaceName.validate(newName, "rename link \(name) to")
        try change(name, "rename link", subject: "\(name) to \(newName)") {
            rtnl_link_set_name($0, newName)
        }
    }

    /// Moves the link into `ns` (IFLA_NET_NS_FD, rtnl_link_set_ns_fd(3)). It disappears from
    /// this namespace; address it through a `RouteNetlink` of `ns` from then on.
    public func moveToNamespace(_ name: String, _ ns: NetworkNamespace) throws(HostNetError) {
        try change(name, "move link", subject: "\(name) to namespace \(ns.name)") {
            rtnl_link_set_ns_fd($0, ns.fileDescriptor)
        }
    }

    /// Deletes the link (rtnl_link_delete(3)); for a veth, its peer goes with it.
    public func deleteLink(_ name: String) throws(HostNetError) {
        let operation = "delete link"
        try InterfaceName.validate(name, operation)
        try withSocket { (socket) throws(HostNetError) in
            guard let link = rtnl_link_alloc() else { throw .system(operation, name, errno: ENOMEM) }
            defer { rtnl_link_put(link) }
            rtnl_link_set_name(link, name)
            try socket.check(operation, name) { rtnl_link_delete($0, link) }
        }
    }

    /// Looks the link up, then sends one change request (rtnl_link_change(3)) holding only what
    /// `fill` sets on an empty template: libnl diffs nothing, it sends what the template holds.
    private func change(
        _ name: String, _ operation: String, subject: String? = nil,
        _ fill: (OpaquePointer) -> Void
    ) throws(HostNetError) {
        try InterfaceName.validate(name, operation)
        let subject = subject ?? name
        try withSocket { (socket) throws(HostNetError) in
            guard let original = try socket.fetchLink(name, operation, subject: subject) else { return }
            defer { rtnl_link_put(original) }
            guard let changes = rtnl_link_alloc() else { throw .system(operation, name, errno: ENOMEM) }
            defer { rtnl_link_put(changes) }
            fill(changes)
            try socket.check(operation, subject) { rtnl_link_change($0, original, changes, 0) }
        }
    }
}
