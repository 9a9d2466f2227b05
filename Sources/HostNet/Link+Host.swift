extension RouteNetlink {
    /// Gives interface `name` (in this netlink's namespace) the settings of a container's or
    /// VM's interface and brings it and `lo` up: what a TAP moved into a host and the host end
    /// of a veth pair both need.
    public func configureHost(interface name: String, mac: String?, mtu: UInt32?, addresses: [String],
                              gateway: String?) throws(HostNetError) {
        if let mac { try setMAC(name, mac) }
        if let mtu { try setMTU(name, mtu) }
        for address in addresses { try addAddress(name, address) }
        try setUp(name)
        try setUp("lo")
        if let gateway { try addDefaultRoute(via: gateway) }
    }
}
