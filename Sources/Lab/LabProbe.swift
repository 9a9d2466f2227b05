import Glibc
import HostNet

/// Readiness checks: is a daemon there yet, and is a host wired up.
enum LabProbe {
    /// True when something accepts a TCP connection at host:port within `timeout` seconds.
    static func acceptsTCP(host: String, port: UInt16, timeout: Double = 0.5) -> Bool {
        // A numeric address only (IPv4 or IPv6): no name lookup that could stall `up`.
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list?.pointee else { return false }
        defer { freeaddrinfo(list) }
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let result = connect(fd, info.ai_addr, info.ai_addrlen)
        if result == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        // A non-blocking connect, so an address that drops SYNs cannot hang `up`.
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return false }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0
    }

    /// True when a vswitchd serves requests on its control socket. A whole `show` request is
    /// made rather than a bare connect: the server writes a reply to every connection, and a
    /// client that hung up early would hand it a SIGPIPE.
    static func controlSocketServes(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return false }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("show\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return false }
        var reply = [UInt8](repeating: 0, count: 1)
        return recv(fd, &reply, 1, 0) == 1 && (reply[0] == UInt8(ascii: "0") || reply[0] == UInt8(ascii: "1"))
    }

    /// True when the host's interface exists and is up inside its namespace.
    static func hostInterfaceUp(namespace: String, interface: String) -> Bool {
        guard NetworkNamespace.exists(named: namespace),
              let ns = try? NetworkNamespace.open(named: namespace),
              let netlink = try? RouteNetlink(namespace: ns),
              let link = try? netlink.link(named: interface) else { return false }
        return link.isUp
    }
}
