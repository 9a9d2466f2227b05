/// The JSON bodies of the controller's REST API (`docs/openapi.yaml`), shared by the server
/// and `sdnctl`'s client. Lists come wrapped in an object so fields can be added later.

public struct APIError: Codable, Sendable, Error, CustomStringConvertible {
    public var error: String
    /// Further lines, e.g. every `FILE:LINE:COL: message` of a refused topology.
    public var details: [String]?

    public init(error: String, details: [String]? = nil) { self.error = error; self.details = details }
    public var description: String { ([error] + (details ?? [])).joined(separator: "\n") }
}

public struct APIHealth: Codable, Sendable {
    public var status: String
    public var switches: Int
    public var topology: String?
}

public struct APISwitch: Codable, Sendable {
    public var name: String
    public var datapathId: String
    public var connected: Bool
    /// The switch's address, while connected.
    public var address: String?
    public var ports: Int?
    /// Flows the controller intends the switch to have.
    public var intendedFlows: Int
}

public struct APISwitchList: Codable, Sendable { public var switches: [APISwitch] }

public struct APIPort: Codable, Sendable {
    public var number: UInt32
    public var name: String
    public var mac: String
    public var up: Bool
}

public struct APIPortList: Codable, Sendable {
    public var `switch`: String
    public var datapathId: String
    public var ports: [APIPort]
}

public struct APIFlow: Codable, Sendable {
    public var table: UInt8
    public var priority: UInt16
    public var cookie: String
    public var packets: UInt64
    public var bytes: UInt64
    public var durationSeconds: Double
    /// The flow in ovs-ofctl syntax.
    public var text: String
}

public struct APIFlowList: Codable, Sendable {
    public var `switch`: String
    public var datapathId: String
    public var flows: [APIFlow]
}

public struct APIFlowsRequest: Codable, Sendable {
    public var flows: [String]
    public init(flows: [String]) { self.flows = flows }
}

public struct APIFlowsChange: Codable, Sendable {
    public var `switch`: String
    public var datapathId: String
    /// The flows added or deleted, as stored (ovs-ofctl syntax, ports by number).
    public var flows: [String]
    /// False when the switch is not connected: it gets them when it connects.
    public var installed: Bool
    public var flowModsSent: Int
}

public struct APITopologyRequest: Codable, Sendable {
    /// The file name, used in `FILE:LINE:COL` diagnostics.
    public var path: String
    public var yaml: String
    public init(path: String, yaml: String) { self.path = path; self.yaml = yaml }
}

public struct APITopologySwitch: Codable, Sendable {
    public var name: String
    public var datapathId: String
    /// True when the controller computed the flows (the switch has no `flows:`).
    public var computed: Bool
    public var flows: Int
    public var connected: Bool
}

public struct APITopology: Codable, Sendable {
    public var name: String
    public var path: String
    public var yaml: String
    public var switches: [APITopologySwitch]
    public var hosts: Int
    public var links: Int
}

public struct APIApplySwitch: Codable, Sendable {
    public var name: String
    public var datapathId: String
    public var connected: Bool
    public var flows: Int
    public var added: Int
    public var deleted: Int
    public var unchanged: Int
    /// Flow-mods the switch refused: the flow and the OpenFlow error.
    public var refused: [String]
}

public struct APIApplyResult: Codable, Sendable {
    public var name: String
    public var flowModsSent: Int
    public var switches: [APIApplySwitch]
}

public struct APIDiffSwitch: Codable, Sendable {
    public var name: String
    public var datapathId: String
    public var connected: Bool
    public var add: [String]
    public var delete: [String]
}

public struct APIDiff: Codable, Sendable {
    public var name: String
    public var flowMods: Int
    public var switches: [APIDiffSwitch]
}

public struct APILinkEnd: Codable, Sendable {
    public var `switch`: String
    public var datapathId: String
    public var port: UInt32
}

public struct APILink: Codable, Sendable {
    public var source: APILinkEnd
    public var destination: APILinkEnd
    /// Seconds since the last LLDP frame that showed the link.
    public var ageSeconds: Double
}

public struct APILinkList: Codable, Sendable { public var links: [APILink] }

public struct APIHost: Codable, Sendable {
    public var name: String
    public var `switch`: String
    public var port: UInt32
    public var namespace: String
    public var interface: String
    public var mac: String?
    public var ipv4: String?
    public var ipv6: String?
}

public struct APIHostList: Codable, Sendable { public var hosts: [APIHost] }
