/// Reads links inside named namespaces over one netlink socket per namespace, kept open.
///
/// Opening a socket inside a namespace takes a thread that enters it (setns(2) moves only the
/// calling thread), so a fresh socket for every read spawns a thread each time; a switch that
/// polls its ports' links once a second did that per namespace per second. A socket belongs to
/// the namespace it was created in for life, so one is opened per namespace and reused. Before
/// each read the namespace's name is checked to still refer to the same namespace (the device
/// and inode of `/run/netns/NAME`): a namespace deleted or replaced under the same name drops
/// the old socket, so it never keeps a deleted namespace alive for more than a read.
///
/// Not thread-safe: one owner thread (a switch's housekeeping thread).
public final class NamespacedLinkReader {
    private var sockets: [String: (namespace: FileIdentity, netlink: RouteNetlink)] = [:]

    public init() {}

    /// How many namespaces have an open socket here.
    public var openSockets: Int { sockets.count }

    /// The link called `ifname` inside namespace `name`; nil when the namespace or the link is
    /// not there (or cannot be read).
    public func link(named ifname: String, inNamespace name: String) -> LinkInfo? {
        guard (try? NetworkNamespace.validate(name, "")) != nil,
              let current = SystemCalls.fileIdentity(NetworkNamespace.path(of: name)) else {
            sockets[name] = nil
            return nil
        }
        if sockets[name]?.namespace != current {
            sockets[name] = nil
            guard let ns = try? NetworkNamespace.open(named: name),
                  let opened = SystemCalls.fileIdentity(ns.fileDescriptor),
                  let netlink = try? RouteNetlink(namespace: ns) else { return nil }
            sockets[name] = (opened, netlink)
        }
        do {
            return try sockets[name]?.netlink.link(named: ifname)
        } catch {
            sockets[name] = nil
            return nil
        }
    }

    /// Closes the sockets of namespaces not in `names`.
    public func keep(only names: Set<String>) {
        sockets = sockets.filter { names.contains($0.key) }
    }
}
