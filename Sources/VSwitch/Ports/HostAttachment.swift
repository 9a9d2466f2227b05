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
            try inside.configureHost(interface: host.interface, mac: host.mac?.description, mtu: host.mtu.map(UInt32.init),
                                     addresses: host.addresses,
                                     gateway: host.gateway?.description)
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
