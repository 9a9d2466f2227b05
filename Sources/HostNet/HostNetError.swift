import CNetlink
import Glibc

/// An error from a host-networking call: what was attempted, on what, and the system's reason.
public struct HostNetError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var subject: String
    public var reason: String

    public init(_ operation: String, _ subject: String, _ reason: String) {
        self.operation = operation; self.subject = subject; self.reason = reason
    }

    public var description: String { "\(operation) \(subject): \(reason)" }
}

extension HostNetError {
    /// An error from a system call, its reason spelled by strerror(3) as `ip` and friends do.
    static func system(_ operation: String, _ subject: String, errno code: Int32) -> HostNetError {
        HostNetError(operation, subject, String(cString: strerror(code)))
    }

    /// An error from libnl, its reason spelled by nl_geterror(3). libnl codes are negative on
    /// return; nl_geterror takes either sign.
    static func netlink(_ operation: String, _ subject: String, code: Int32) -> HostNetError {
        HostNetError(operation, subject, String(cString: nl_geterror(code)))
    }

    /// Bad input caught before any call, so the caller sees our reason rather than a kernel's
    /// vaguer one (or libnl silently truncating a name).
    static func invalid(_ operation: String, _ subject: String, _ reason: String) -> HostNetError {
        HostNetError(operation, subject, reason)
    }
}
