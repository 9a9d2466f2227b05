/// `hosts.NAME`: a network namespace standing for a container or VM, attached to a switch port.
public struct HostConfig: Hashable, Sendable {
    public static let defaultInterface = "eth0"

    public var name: String
    public var switchName: String
    /// The port number (resolved if the file named the port).
    public var port: UInt32
    public var ipv4: IPv4CIDR?
    public var ipv6: IPv6CIDR?
    public var mac: EthernetAddress?
    public var gateway: IPAddressLiteral?
    public var mtu: Int?
    /// The interface name inside the namespace.
    public var interface: String
    /// The network namespace name; the host name unless given.
    public var namespace: String
    /// Where the host's name is written.
    public var location: SourceLocation

    public init(name: String, switchName: String, port: UInt32, ipv4: IPv4CIDR? = nil,
                ipv6: IPv6CIDR? = nil, mac: EthernetAddress? = nil, gateway: IPAddressLiteral? = nil,
                mtu: Int? = nil, interface: String = HostConfig.defaultInterface,
                namespace: String? = nil, location: SourceLocation) {
        self.name = name; self.switchName = switchName; self.port = port
        self.ipv4 = ipv4; self.ipv6 = ipv6; self.mac = mac; self.gateway = gateway; self.mtu = mtu
        self.interface = interface; self.namespace = namespace ?? name; self.location = location
    }

    public var attachment: PortReference { PortReference(switchName: switchName, port: port) }

    /// The interface's addresses in CIDR form, IPv4 first.
    public var addresses: [String] { [ipv4?.description, ipv6?.description].compactMap { $0 } }
}

/// One entry of `links:`: two system ports of (usually different) switches joined by a veth pair
/// whose ends are the ports' `interface` names.
public struct LinkConfig: Hashable, Sendable {
    public var a: PortReference
    public var b: PortReference
    public var location: SourceLocation

    public init(a: PortReference, b: PortReference, location: SourceLocation) {
        self.a = a; self.b = b; self.location = location
    }
}
