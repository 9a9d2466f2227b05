import CNetlink
import Glibc

/// Records the errno of the kernel's NLMSG_ERROR before libnl translates it: libnl folds every
/// errno it has no code for into NLE_FAILURE ("Unspecific failure"), which would hide reasons
/// such as "Network is unreachable". Returning NL_STOP keeps libnl's own handling unchanged.
private let recordKernelError: nl_recvmsg_err_cb_t = { _, message, context in
    if let message, let context {
        context.assumingMemoryBound(to: Int32.self).pointee = -message.pointee.error
    }
    return Int32(NL_STOP.rawValue)
}

/// One libnl NETLINK_ROUTE socket (`struct nl_sock`), freed with the object.
///
/// Not Sendable: a libnl socket holds sequence numbers and receive state that must not be used
/// from two threads at once. Owners keep it behind a lock.
final class NetlinkSocket {
    let handle: OpaquePointer
    /// Last kernel errno seen by `recordKernelError`; zero when the last failure was libnl's own.
    private let kernelError: UnsafeMutablePointer<Int32>

    /// nl_socket_alloc(3) and nl_connect(3) on NETLINK_ROUTE, in the calling thread's namespace:
    /// a netlink socket talks to the namespace it was created in for its whole life.
    init(operation: String, subject: String) throws(HostNetError) {
        guard let handle = nl_socket_alloc() else {
            throw .system(operation, subject, errno: ENOMEM)
        }
        kernelError = .allocate(capacity: 1)
        kernelError.initialize(to: 0)
        self.handle = handle
        nl_socket_modify_err_cb(handle, NL_CB_CUSTOM, recordKernelError, kernelError)
        let code = nl_connect(handle, NETLINK_ROUTE)
        if code < 0 { throw .netlink(operation, subject, code: code) }
    }

    /// Creates the socket in `namespace` (on a dedicated thread that entered it) or, for nil,
    /// in the calling thread's namespace. The socket stays bound to that namespace.
    static func make(
        in namespace: NetworkNamespace?, operation: String, subject: String
    ) throws(HostNetError) -> NetlinkSocket {
        guard let namespace else { return try NetlinkSocket(operation: operation, subject: subject) }
        return try namespace.runTyped { () throws(HostNetError) in
            try NetlinkSocket(operation: operation, subject: subject)
        }
    }

    deinit {
        nl_socket_free(handle)  // also closes the descriptor
        kernelError.deallocate()
    }

    var fileDescriptor: Int32 { nl_socket_get_fd(handle) }

    /// Runs one libnl call that returns a negative NLE code on failure, turning a failure into
    /// a `HostNetError` whose reason is the kernel's errno when there was one (strerror, as `ip`
    /// prints it), otherwise nl_geterror's text. libnl retries EINTR inside nl_recv itself.
    @discardableResult
    func check(
        _ operation: String, _ subject: String, _ call: (OpaquePointer) -> Int32
    ) throws(HostNetError) -> Int32 {
        kernelError.pointee = 0
        let code = call(handle)
        if code >= 0 { return code }
        if kernelError.pointee != 0 { throw .system(operation, subject, errno: kernelError.pointee) }
        throw .netlink(operation, subject, code: code)
    }
}
