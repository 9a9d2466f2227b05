import HostNet
import Topology

/// The container or VM side of a TAP port: the TAP interface moved into the host's network
/// namespace, renamed, given its MAC, MTU, addresses and default route, and brought up.
public struct HostAttachment: Sendable {
    public let host: HostConfig
    /// True when this attachment created the namespace (and so removes it on detach).
    public let createdNamespace: Bool

    /// Wires `tapName` into `host`'s namespace (created if it does not exist).
    public static func attach(_ host: HostConfig, tapName: String) throws(HostNetError) -> HostAttachment {
        let created = !NetworkNamespace.exists(named: host.namespace)
        let ns = created ? try NetworkNamespace.create(named: host.namespace) : try NetworkNamespace.open(named: host.namespace)
        do {
            try RouteNetlink().moveToNamespace(tapName, ns)
            let inside = try RouteNetlink(namespace: ns)
            if host.interface != tapName { try inside.rename(tapName, to: host.interface) }
            if let mac = host.mac { try inside.setMAC(host.interface, mac.description) }
            if let mtu = host.mtu { try inside.setMTU(host.interface, UInt32(mtu)) }
            if let v4 = host.ipv4 { try inside.addAddress(host.interface, v4.description) }
            if let v6 = host.ipv6 { try inside.addAddress(host.interface, v6.description) }
            try inside.setUp(host.interface)
            try inside.setUp("lo")
            if let gw = host.gateway { try inside.addDefaultRoute(via: gw.description) }
        } catch {
            if created { try? NetworkNamespace.delete(named: host.namespace) }
            throw error
        }
        return HostAttachment(host: host, createdNamespace: created)
    }

    /// Removes the namespace if this attachment created it.
    public func detach() {
        if createdNamespace { try? NetworkNamespace.delete(named: host.namespace) }
    }
}
