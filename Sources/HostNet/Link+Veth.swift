import CNetlink
import Glibc

extension RouteNetlink {
    /// Creates a veth pair `name` ↔ `peer` in one request. With `peerNamespace`, the kernel
    /// creates the peer directly inside it, so the name `peer` never exists here and cannot
    /// collide with a link of this namespace.
    public func createVeth(
        _ name: String, peer: String, peerNamespace: NetworkNamespace? = nil
    ) throws(HostNetError) {
        let operation = "create veth"
        let subject = "\(name) peer \(peer)" + (peerNamespace.map { " in namespace \($0.name)" } ?? "")
        try InterfaceName.validate(name, operation)
        try InterfaceName.validate(peer, operation)
        try withSocket { (socket) throws(HostNetError) in
            // rtnl_link_veth_add(3) can only place the peer by pid; build the request by hand to
            // place it by namespace fd instead.
            guard let link = rtnl_link_veth_alloc() else { throw .system(operation, subject, errno: ENOMEM) }
            defer { rtnl_link_put(link) }  // frees the peer too
            rtnl_link_set_name(link, name)
            guard let peerLink = rtnl_link_veth_get_peer(link) else {
                throw .system(operation, subject, errno: ENOMEM)
            }
            defer { rtnl_link_put(peerLink) }  // drops the reference get_peer took
            rtnl_link_set_name(peerLink, peer)
            if let peerNamespace { rtnl_link_set_ns_fd(peerLink, peerNamespace.fileDescriptor) }
            try socket.check(operation, subject) {
                rtnl_link_add($0, link, NLM_F_CREATE | NLM_F_EXCL)
            }
        }
    }
}
