/// Why a controller or listener string was refused; the message names no field (the caller does).
public struct TargetSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// An active OpenFlow connection target, `tcp:IP[:PORT]` (Open vSwitch syntax; IPv6 in brackets).
public struct ControllerTarget: Hashable, Sendable, CustomStringConvertible {
    public static let defaultPort: UInt16 = 6653

    /// The address without brackets: `127.0.0.1` or `::1`.
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16 = ControllerTarget.defaultPort) {
        self.host = host; self.port = port
    }

    public static func parse(_ text: String) -> Result<ControllerTarget, TargetSyntaxError> {
        let (method, rest) = splitMethod(text)
        switch method {
        case "tcp":
            break
        case "ssl":
            return .failure(.init(message: "ssl connections are not supported yet; use tcp:IP:PORT"))
        case "unix":
            return .failure(.init(message: "unix socket connections are not supported; use tcp:IP:PORT"))
        case "ptcp", "pssl", "punix":
            return .failure(.init(message: "'\(text)' is a passive listener, which belongs under 'listen'"))
        default:
            return .failure(.init(message: "expected tcp:IP:PORT, got '\(text)'"))
        }
        guard let (host, port) = splitHostPort(rest) else {
            return .failure(.init(message: "expected tcp:IP:PORT, got '\(text)'"))
        }
        guard IPAddressLiteral(host) != nil else {
            return .failure(.init(message: "'\(host)' in '\(text)' is not an IP address (expected tcp:IP:PORT)"))
        }
        guard let port else { return .success(.init(host: host)) }
        guard let number = parseDecimal(port, max: 65535), number > 0 else {
            return .failure(.init(message: "'\(port)' in '\(text)' is not a TCP port (1-65535)"))
        }
        return .success(.init(host: host, port: UInt16(number)))
    }

    public var description: String {
        host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
    }
}

/// A passive OpenFlow listener, `ptcp:PORT[:IP]` (Open vSwitch syntax). Port 0 lets the kernel choose.
public struct ListenTarget: Hashable, Sendable, CustomStringConvertible {
    public var port: UInt16
    /// The address to bind; nil binds all addresses.
    public var host: String?

    public init(port: UInt16, host: String? = nil) {
        self.port = port; self.host = host
    }

    public static func parse(_ text: String) -> Result<ListenTarget, TargetSyntaxError> {
        let (method, rest) = splitMethod(text)
        switch method {
        case "ptcp":
            break
        case "pssl":
            return .failure(.init(message: "pssl listeners are not supported yet; use ptcp:PORT[:IP]"))
        case "punix":
            return .failure(.init(message: "punix listeners are not supported; use ptcp:PORT[:IP]"))
        case "tcp", "ssl", "unix":
            return .failure(.init(message: "'\(text)' is an active connection, which belongs under 'controller'"))
        default:
            return .failure(.init(message: "expected ptcp:PORT[:IP], got '\(text)'"))
        }
        let port: Substring, host: String?
        if let colon = rest.firstIndex(of: ":") {
            port = rest[..<colon]
            var address = rest[rest.index(after: colon)...]
            if address.hasPrefix("["), address.hasSuffix("]") { address = address.dropFirst().dropLast() }
            host = String(address)
        } else {
            port = rest[...]; host = nil
        }
        guard let number = parseDecimal(port, max: 65535) else {
            return .failure(.init(message: "'\(port)' in '\(text)' is not a TCP port (0-65535)"))
        }
        if let host, IPAddressLiteral(host) == nil {
            return .failure(.init(message: "'\(host)' in '\(text)' is not an IP address (expected ptcp:PORT[:IP])"))
        }
        return .success(.init(port: UInt16(number), host: host))
    }

    public var description: String {
        guard let host else { return "ptcp:\(port)" }
        return host.contains(":") ? "ptcp:\(port):[\(host)]" : "ptcp:\(port):\(host)"
    }
}

private func splitMethod(_ text: String) -> (method: String, rest: Substring) {
    guard let colon = text.firstIndex(of: ":") else { return (text, "") }
    return (String(text[..<colon]), text[text.index(after: colon)...])
}

/// `IP`, `IP:PORT`, `[IPv6]` or `[IPv6]:PORT`; a bare IPv6 address has no port.
private func splitHostPort(_ text: Substring) -> (String, Substring?)? {
    if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]") else { return nil }
        let host = String(text[text.index(after: text.startIndex)..<close])
        let after = text[text.index(after: close)...]
        if after.isEmpty { return (host, nil) }
        guard after.hasPrefix(":") else { return nil }
        return (host, after.dropFirst())
    }
    let colons = text.filter { $0 == ":" }.count
    if colons == 0 { return text.isEmpty ? nil : (String(text), nil) }
    if colons > 1 { return (String(text), nil) }  // an unbracketed IPv6 address
    let colon = text.firstIndex(of: ":")!
    return (String(text[..<colon]), text[text.index(after: colon)...])
}
