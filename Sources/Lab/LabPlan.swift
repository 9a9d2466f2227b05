import Topology

/// What a topology needs on this machine, derived once from the validated file: the veth pairs
/// of its links, the host namespaces its switches will create, the switch processes and the
/// controller. `up` creates exactly this, `down` (without a state file) removes exactly this.
public struct LabPlan: Sendable {
    /// One veth pair joining two switches' system ports.
    public struct VethPair: Codable, Hashable, Sendable {
        public var name: String
        public var peer: String
    }

    /// One `vswitchd run` to start.
    public struct SwitchProcess: Hashable, Sendable {
        public var name: String
        public var controlSocket: String
        /// TAP devices the switch creates; they exist in the root namespace until it moves them.
        public var taps: [String]
    }

    public var topology: TopologyFile
    /// Absolute, so the spawned switches and a later `down` find it whatever their directory.
    public var topologyPath: String
    public var veths: [VethPair]
    public var switches: [SwitchProcess]
    /// Hosts on TAP ports: vswitchd wires these into their namespaces.
    public var attachedHosts: [HostConfig]
    /// Hosts on other port types, which no one in the lab wires up; reported, not waited for.
    public var unattachedHosts: [HostConfig]
    public var controller: ControllerTarget?

    public var name: String { topology.name }
    public var namespaces: [String] { uniqued(attachedHosts.map(\.namespace)) }

    public init(topology: TopologyFile, path: String) throws(LabError) {
        self.topology = topology
        topologyPath = path
        var veths: [VethPair] = []
        for link in topology.links {
            guard let a = Self.systemInterface(topology, link.a), let b = Self.systemInterface(topology, link.b) else {
                throw LabError("link \(link.a) - \(link.b) at \(link.location.file):\(link.location.line): both ends must be system ports with an interface")
            }
            veths.append(VethPair(name: a, peer: b))
        }
        self.veths = veths
        switches = topology.switches.map { config in
            SwitchProcess(name: config.name,
                          controlSocket: config.controlSocket ?? "/run/swiftsdn/\(config.name).sock",
                          taps: config.ports.filter { $0.type == .tap }.map(\.name))
        }
        attachedHosts = topology.hosts.filter { topology.switch(named: $0.switchName)?.port(number: $0.port)?.type == .tap }
        unattachedHosts = topology.hosts.filter { topology.switch(named: $0.switchName)?.port(number: $0.port)?.type != .tap }
        if let first = topology.controllers.first {
            switch ControllerTarget.parse(first) {
            case .success(let target): controller = target
            case .failure(let error): throw LabError("controller '\(first)': \(error)")
            }
        } else {
            controller = nil
        }
    }

    private static func systemInterface(_ topology: TopologyFile, _ end: PortReference) -> String? {
        guard let port = topology.switch(named: end.switchName)?.port(number: end.port),
              port.type == .system else { return nil }
        return port.interface
    }
}

func uniqued(_ names: [String]) -> [String] {
    var seen: Set<String> = []
    return names.filter { seen.insert($0).inserted }
}
