import CNetlink

/// Links, addresses and routes of one network namespace, over one rtnetlink socket.
///
/// The socket is created in the namespace given at init (or the current one) and stays bound to
/// it, so every call on this object acts on that namespace whichever thread makes it.
/// @unchecked Sendable: a libnl socket is not thread-safe, so every use of `socket` goes through
/// `withSocket`, which holds `lock`; the socket is never handed out.
public final class RouteNetlink: @unchecked Sendable {
    private let lock = Lock()
    private let socket: NetlinkSocket
    /// The namespace given at init (nil: the caller's namespace at the time). Errors name it.
    public let namespace: NetworkNamespace?

    /// Opens the socket in `namespace`, or in the calling thread's namespace when nil.
    public init(namespace: NetworkNamespace? = nil) throws(HostNetError) {
        self.namespace = namespace
        socket = try NetlinkSocket.make(
            in: namespace, operation: "open netlink socket",
            subject: namespace.map { "in namespace \($0.name)" } ?? "in current namespace")
    }

    /// Runs `body` with exclusive use of the socket.
    func withSocket<T>(
        _ body: (NetlinkSocket) throws(HostNetError) -> T
    ) throws(HostNetError) -> T {
        try lock.withLock { () throws(HostNetError) -> T in try body(socket) }
    }
}
