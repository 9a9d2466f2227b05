import FlowRules

/// What a switch is made of: the configuration `vswitchd` runs, independent of file format.
public struct SwitchDefinition: Sendable {
    public enum FailMode: String, Sendable { case standalone, secure }

    public struct Port: Sendable {
        public var number: PortNumber
        public var name: String
        public var kind: PortKind
        /// The interface a `system` port attaches to.
        public var interface: String?
        public var vlan: PortVLANMode

        public init(number: PortNumber, name: String, kind: PortKind, interface: String? = nil,
                    vlan: PortVLANMode = .trunkAll) {
            self.number = number; self.name = name; self.kind = kind; self.interface = interface; self.vlan = vlan
        }
    }

    public var name: String
    public var datapathID: UInt64
    public var failMode: FailMode
    public var ports: [Port]
    public var flows: [FlowSpec]
    public var macTableSize: Int
    public var macAgingSeconds: UInt64
    /// PACKET_INs per second at most; the rest are dropped and counted.
    public var packetInRate: Int
    public var maxFlows: Int
    public var controllers: [String]
    public var listen: String?
    public var controlSocket: String?

    public init(name: String, datapathID: UInt64 = 1, failMode: FailMode = .standalone, ports: [Port] = [],
                flows: [FlowSpec] = [], macTableSize: Int = 8192, macAgingSeconds: UInt64 = 300,
                packetInRate: Int = 1000, maxFlows: Int = 1_000_000, controllers: [String] = [], listen: String? = nil, controlSocket: String? = nil) {
        self.name = name; self.datapathID = datapathID; self.failMode = failMode; self.ports = ports
        self.flows = flows; self.macTableSize = macTableSize; self.macAgingSeconds = macAgingSeconds
        self.packetInRate = packetInRate; self.maxFlows = maxFlows; self.controllers = controllers; self.listen = listen; self.controlSocket = controlSocket
    }

    /// Port names → numbers, for flow syntax that names ports.
    public var portNames: [String: PortNumber] {
        Dictionary(ports.map { ($0.name, $0.number) }, uniquingKeysWith: { a, _ in a })
    }
}
