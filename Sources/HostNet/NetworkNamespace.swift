import Glibc

/// A named network namespace, kept the way iproute2 keeps them: a bind mount of the namespace's
/// nsfs file at `/run/netns/NAME`, so `ip netns exec NAME` and this type see the same namespaces.
///
/// Sendable: its stored state is immutable; the descriptor is closed only in deinit, when no one
/// can use it any more.
public final class NetworkNamespace: Sendable {
    /// Where iproute2 keeps named namespaces (NETNS_RUN_DIR).
    public static let directory = "/run/netns"

    public let name: String
    /// An open descriptor of `/run/netns/NAME`, for setns(2) and IFLA_NET_NS_FD.
    public let fileDescriptor: Int32

    private init(name: String, fileDescriptor: Int32) {
        self.name = name
        self.fileDescriptor = fileDescriptor
    }

    deinit { SystemCalls.close(fileDescriptor) }

    static func path(of name: String) -> String { "\(directory)/\(name)" }

    /// Refuses names that would escape `/run/netns` or that iproute2 itself refuses.
    static func validate(_ name: String, _ operation: String) throws(HostNetError) {
        if name.isEmpty || name == "." || name == ".." || name.contains("/")
            || name.utf8.count > Int(NAME_MAX) {
            throw .invalid(operation, "\"\(name)\"", "not a valid namespace name")
        }
    }

    /// Opens `/run/netns/NAME` (open(2), read-only).
    public static func open(named name: String) throws(HostNetError) -> NetworkNamespace {
        try validate(name, "open namespace")
        let fd = try SystemCalls.open(
            path(of: name), flags: O_RDONLY, operation: "open namespace", subject: name)
        return NetworkNamespace(name: name, fileDescriptor: fd)
    }

    /// True when `/run/netns/NAME` exists, which is what `ip netns list` reports.
    public static func exists(named name: String) -> Bool {
        (try? validate(name, "")) != nil && SystemCalls.exists(path(of: name))
    }

    /// Runs `body` on a dedicated thread that has first entered this namespace (setns(2)), and
    /// returns its result. The thread exits afterwards, so no pool thread is ever left here.
    public func run<T: Sendable>(_ body: @Sendable () throws -> T) throws -> T {
        let fd = fileDescriptor, name = name
        return try DedicatedThread.run("enter namespace", name) { () throws -> T in
            try SystemCalls.enterNetworkNamespace(fd, operation: "enter namespace", subject: name)
            return try body()
        }.get()
    }

    /// `run` for HostNet's own typed-throwing work, so callers keep `throws(HostNetError)`.
    func runTyped<T>(_ body: () throws(HostNetError) -> T) throws(HostNetError) -> T {
        let fd = fileDescriptor, name = name
        return try DedicatedThread.run("enter namespace", name) { () throws(HostNetError) -> T in
            try SystemCalls.enterNetworkNamespace(fd, operation: "enter namespace", subject: name)
            return try body()
        }.get()
    }
}
