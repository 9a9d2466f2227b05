import CNetlink
import Glibc

/// Link up/down and carrier change events: a netlink socket subscribed to RTNLGRP_LINK.
///
/// Poll `fileDescriptor` for readability, then call `drainEvents`. The kernel sends a full
/// RTM_NEWLINK for every change, so each event is the link's whole new state.
/// @unchecked Sendable: the libnl socket and the collector are not thread-safe; they are used
/// only inside `drainEvents`, which holds `lock`.
public final class LinkMonitor: @unchecked Sendable {
    /// What the libnl callbacks fill while `drainEvents` runs; reached through a raw pointer.
    final class Collector {
        var events: [LinkInfo] = []
    }

    private let lock = Lock()
    private let socket: NetlinkSocket
    private let collector: Collector
    public let fileDescriptor: Int32

    /// Subscribes in `namespace`, or in the calling thread's namespace when nil.
    public init(namespace: NetworkNamespace? = nil) throws(HostNetError) {
        let operation = "monitor links"
        let subject = namespace.map { "in namespace \($0.name)" } ?? "in current namespace"
        socket = try NetlinkSocket.make(in: namespace, operation: operation, subject: subject)
        collector = Collector()
        let handle = socket.handle
        // Events are unsolicited: they carry no sequence number of ours to check.
        nl_socket_disable_seq_check(handle)
        nl_socket_modify_cb(handle, NL_CB_VALID, NL_CB_CUSTOM, collectLinkMessage,
                            Unmanaged.passUnretained(collector).toOpaque())
        try socket.check(operation, subject) { nl_socket_add_membership($0, Int32(RTNLGRP_LINK.rawValue)) }
        try socket.check(operation, subject) { nl_socket_set_nonblocking($0) }
        fileDescriptor = socket.fileDescriptor
    }

    /// Reads every event queued so far without blocking (nl_recvmsgs_default(3) until EAGAIN)
    /// and returns the changed links in the order the kernel reported them.
    ///
    /// If more events arrived than the socket buffer holds, the kernel dropped some and this
    /// throws "No buffer space available"; list `RouteNetlink.links()` to resynchronize.
    public func drainEvents() throws(HostNetError) -> [LinkInfo] {
        try lock.withLock { () throws(HostNetError) -> [LinkInfo] in
            defer { collector.events.removeAll(keepingCapacity: true) }
            while true {
                let code = nl_recvmsgs_default(socket.handle)
                if code == -NLE_AGAIN { break }
                if code == -NLE_NOMEM {
                    throw .system("read link events", "from netlink", errno: ENOBUFS)
                }
                if code < 0 { throw .netlink("read link events", "from netlink", code: code) }
            }
            return collector.events
        }
    }
}

/// NL_CB_VALID handler: hands each message to libnl's rtnetlink parser, which calls back with
/// a `struct rtnl_link` for RTM_NEWLINK/RTM_DELLINK (nl_msg_parse(3)).
private let collectLinkMessage: nl_recvmsg_msg_cb_t = { message, context in
    guard let message, let context else { return Int32(NL_OK.rawValue) }
    let deleted = nlmsg_hdr(message).pointee.nlmsg_type == UInt16(RTM_DELLINK)
    let collector = Unmanaged<LinkMonitor.Collector>.fromOpaque(context).takeUnretainedValue()
    let before = collector.events.count
    _ = nl_msg_parse(message, { object, context in
        guard let object, let context else { return }
        let collector = Unmanaged<LinkMonitor.Collector>.fromOpaque(context).takeUnretainedValue()
        collector.events.append(LinkInfo(object))
    }, context)
    if deleted {
        for i in before..<collector.events.count { collector.events[i].isDeleted = true }
    }
    return Int32(NL_OK.rawValue)
}
