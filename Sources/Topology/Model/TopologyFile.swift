/// A validated topology file: switches, the hosts (network namespaces) attached to them, and the
/// switch-to-switch links. A value of this type only exists for a file with no errors.
public struct TopologyFile: Hashable, Sendable {
    public var name: String
    /// Default controllers (`controller:` at the top); switches without their own inherit them,
    /// already resolved into `SwitchConfig.controllers`.
    public var controllers: [String]
    /// VLAN id → name, from the `vlans:` section.
    public var vlans: [UInt16: String]
    /// In file order.
    public var switches: [SwitchConfig]
    /// In file order.
    public var hosts: [HostConfig]
    /// In file order.
    public var links: [LinkConfig]
    /// The path (or name) the file was loaded from, as used in diagnostics.
    public var path: String

    public init(name: String, controllers: [String] = [], vlans: [UInt16: String] = [:],
                switches: [SwitchConfig], hosts: [HostConfig] = [], links: [LinkConfig] = [],
                path: String) {
        self.name = name; self.controllers = controllers; self.vlans = vlans
        self.switches = switches; self.hosts = hosts; self.links = links; self.path = path
    }

    public func `switch`(named name: String) -> SwitchConfig? { switches.first { $0.name == name } }
    public func host(named name: String) -> HostConfig? { hosts.first { $0.name == name } }

    /// The hosts attached to one switch.
    public func hosts(on switchName: String) -> [HostConfig] { hosts.filter { $0.switchName == switchName } }

    /// The links with an end on one switch.
    public func links(on switchName: String) -> [LinkConfig] {
        links.filter { $0.a.switchName == switchName || $0.b.switchName == switchName }
    }

    /// The VLAN id for a name from `vlans:`.
    public func vlanID(named name: String) -> UInt16? { vlans.first { $0.value == name }?.key }
}

public enum FailMode: String, Hashable, Sendable, CaseIterable {
    /// Without a controller the switch forwards as a learning switch.
    case standalone
    /// Without a controller the switch keeps forwarding on its installed flows only.
    case secure
}

/// One switch (`switches.NAME`), or the whole of a bare switch document.
public struct SwitchConfig: Hashable, Sendable {
    public static let defaultMACTableSize = 8192
    public static let defaultMACAgingSeconds = 300
    public static let defaultPacketInRate = 1000

    public var name: String
    public var datapathID: UInt64
    public var failMode: FailMode
    /// Active controller targets (`tcp:IP:PORT`), the switch's own or inherited from the file.
    public var controllers: [String]
    /// Passive OpenFlow listener (`ptcp:PORT[:IP]`).
    public var listen: String?
    public var controlSocket: String?
    public var macTableSize: Int
    public var macAgingSeconds: Int
    /// PACKET_INs per second the switch sends at most (a token bucket, burst a tenth of a
    /// second); the rest are dropped and counted, so a flood cannot swamp the controller.
    public var packetInRate: Int
    /// Ordered by port number.
    public var ports: [PortConfig]
    /// In file order.
    public var flows: [FlowLine]
    /// Where the switch's name is written.
    public var location: SourceLocation

    public init(name: String, datapathID: UInt64, failMode: FailMode = .standalone,
                controllers: [String] = [], listen: String? = nil, controlSocket: String? = nil,
                macTableSize: Int = SwitchConfig.defaultMACTableSize,
                macAgingSeconds: Int = SwitchConfig.defaultMACAgingSeconds,
                packetInRate: Int = SwitchConfig.defaultPacketInRate,
                ports: [PortConfig] = [], flows: [FlowLine] = [], location: SourceLocation) {
        self.name = name; self.datapathID = datapathID; self.failMode = failMode
        self.controllers = controllers; self.listen = listen; self.controlSocket = controlSocket
        self.macTableSize = macTableSize; self.macAgingSeconds = macAgingSeconds; self.packetInRate = packetInRate
        self.ports = ports; self.flows = flows; self.location = location
    }

    /// Parsed controllers; validation guarantees they parse.
    public var controllerTargets: [ControllerTarget] {
        controllers.compactMap { try? ControllerTarget.parse($0).get() }
    }

    public var listenTarget: ListenTarget? { listen.flatMap { try? ListenTarget.parse($0).get() } }

    /// `0x0000000000000001`, as ovs-ofctl prints datapath ids.
    public var datapathIDString: String {
        let hex = String(datapathID, radix: 16)
        return "0x" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func port(number: UInt32) -> PortConfig? { ports.first { $0.number == number } }
    public func port(named name: String) -> PortConfig? { ports.first { $0.name == name } }

    /// A port named as commands take it: by number (`3`) or by name (`trunk0`).
    public func port(_ reference: String) -> PortConfig? {
        if let number = UInt32(reference), let port = port(number: number) { return port }
        return port(named: reference)
    }
}

/// One line of the `flows:` list, in ovs-ofctl flow syntax, with where it was written so the
/// flow parser's errors can be reported in the topology file.
public struct FlowLine: Hashable, Sendable {
    public var text: String
    public var location: SourceLocation

    public init(text: String, location: SourceLocation) {
        self.text = text; self.location = location
    }

    public var line: Int { location.line }
    public var column: Int { location.column }
}
