import Glibc

/// A port that could not be opened or configured: which port, which call, the system's reason.
public struct PortError: Error, CustomStringConvertible, Sendable {
    public var port: String
    public var operation: String
    public var reason: String

    public init(_ port: String, _ operation: String, _ reason: String) {
        self.port = port; self.operation = operation; self.reason = reason
    }

    static func errno(_ port: String, _ operation: String, _ code: Int32 = Glibc.errno) -> PortError {
        PortError(port, operation, String(cString: strerror(code)))
    }

    public var description: String { "port \(port): \(operation): \(reason)" }
}
