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

    /// A host on a system port: a veth pair whose root end is the port's interface (the switch
    /// attaches to it) and whose other end is the host's interface inside its namespace.
    public struct HostVeth: Codable, Hashable, Sendable {
        public var host: String
        public var switchEnd: String
        public var namespace: String
        public var interface: String
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
    /// Hosts on system ports: the lab makes their veth pairs and namespaces.
    public var hostVeths: [HostVeth]
    /// Hosts on other port types (pcap, patch), which no one in the lab wires up; reported.
    public var unattachedHosts: [HostConfig]
    public var controller: ControllerTarget?

    public var name: String { topology.name }
    public var namespaces: [String] { uniqued(attachedHosts.map(\.namespace) + hostVeths.map(\.namespace)) }

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
        let portType = { (host: HostConfig) in topology.switch(named: host.switchName)?.port(number: host.port)?.type }
        attachedHosts = topology.hosts.filter { portType($0) == .tap }
        hostVeths = topology.hosts.compactMap { host in
            guard let end = Self.systemInterface(topology, host.attachment) else { return nil }
            return HostVeth(host: host.name, switchEnd: end, namespace: host.namespace, interface: host.interface)
        }
        unattachedHosts = topology.hosts.filter { portType($0) != .tap && portType($0) != .system }
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
