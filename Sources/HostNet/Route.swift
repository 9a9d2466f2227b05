import CNetlink
import Glibc

extension RouteNetlink {
    /// Adds a default route via `gateway` (IPv4 or IPv6) to the main table (rtnl_route_add(3)),
    /// as `ip route add default via GATEWAY` does. The gateway must be reachable on a connected
    /// subnet of an up link, or the kernel answers "Network is unreachable".
    public func addDefaultRoute(via gateway: String) throws(HostNetError) {
        let operation = "add default route via"
        if gateway.contains("/") {
            throw .invalid(operation, gateway, "a gateway is an address, not a prefix")
        }
        let gatewayAddress = try IPPrefix.parse(gateway, operation, gateway)
        defer { nl_addr_put(gatewayAddress) }
        let family = nl_addr_get_family(gatewayAddress)
        try withSocket { (socket) throws(HostNetError) in
            // "default" in the gateway's family gives a zero-length prefix of the right family.
            var destination: OpaquePointer?
            try socket.check(operation, gateway) { _ in nl_addr_parse("default", family, &destination) }
            defer { nl_addr_put(destination) }

            guard let route = rtnl_route_alloc() else { throw .system(operation, gateway, errno: ENOMEM) }
            defer { rtnl_route_put(route) }  // frees the nexthops it owns
            guard let nexthop = rtnl_route_nh_alloc() else { throw .system(operation, gateway, errno: ENOMEM) }
            rtnl_route_nh_set_gateway(nexthop, gatewayAddress)
            rtnl_route_add_nexthop(route, nexthop)
            try socket.check(operation, gateway) { _ in rtnl_route_set_dst(route, destination) }
            rtnl_route_set_table(route, UInt32(RT_TABLE_MAIN.rawValue))
            rtnl_route_set_protocol(route, UInt8(RTPROT_BOOT))
            try socket.check(operation, gateway) { rtnl_route_add($0, route, NLM_F_EXCL) }
        }
    }
}
