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
