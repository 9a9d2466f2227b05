import Yams

extension TopologyReader {
    static let topologyKeys = ["name", "controller", "vlans", "switches", "hosts", "links"]

    /// Sections kept for features still to come: present is an error, with a clear message.
    static let reservedSections = [
        "tunnels": "tunnels: VXLAN tunnels are not supported yet",
        "bonds": "bonds: link bonds (LACP) are not supported yet",
        "chains": "chains: service chains (NFV) are not supported yet",
    ]

    /// Keys only a switch has; a top level holding any of them (and no `switches:`) is a bare
    /// switch document.
    static let switchOnlyKeys = ["datapath-id", "fail-mode", "listen", "control-socket",
                                 "mac-table-size", "mac-aging", "packet-in-rate", "ports", "flows"]

    /// The top-level mapping, or nil after an error.
    func rootPairs(_ root: Node) -> [(key: Node, value: Node)]? {
        guard case .mapping = root else {
            error(root, "expected a mapping (name:, switches:, hosts:, …) at the top of the file, got \(describe(root))")
            return nil
        }
        return pairs(root, what: "the file")
    }

    static func isBareSwitchDocument(_ root: Node) -> Bool {
        guard case .mapping(let mapping) = root else { return false }
        let keys = mapping.compactMap { $0.key.scalar?.string }
        return !keys.contains("switches") && keys.contains(where: switchOnlyKeys.contains)
    }

    /// A topology file: name, controller, vlans, switches, hosts, links.
    func readTopology(_ root: Node, defaultName: String) -> TopologyFile? {
        guard rootPairs(root) != nil,
              let fields = fields(root, owner: root, allowed: Self.topologyKeys, context: "the topology",
                                  what: "the file", reserved: Self.reservedSections)
        else { return nil }

        var name = defaultName
        if let field = fields["name"], let text = word(field) { name = text }
        var controllers: [String] = []
        if let field = fields["controller"] { controllers = readControllers(field) }
        if let field = fields["vlans"] { readVLANs(field) }

        if let field = fields["switches"] {
            readSwitches(field, defaultControllers: controllers)
        } else {
            missing("switches", in: fields, context: "the topology")
        }
        checkSwitches()
        var hosts: [HostConfig] = []
        var links: [LinkConfig] = []
        if let field = fields["hosts"] { hosts = readHosts(field) }
        if let field = fields["links"] { links = readLinks(field) }

        return TopologyFile(name: name, controllers: controllers, vlans: Dictionary(uniqueKeysWithValues: vlanNames.map { ($1, $0) }),
                            switches: switches, hosts: hosts, links: links, path: file)
    }

    /// A bare switch document: the switch's fields at the top level, with its `name:` and
    /// optionally `vlans:`.
    func readBareSwitch(_ root: Node) -> TopologyFile? {
        guard rootPairs(root) != nil,
              let fields = fields(root, owner: root, allowed: ["name", "vlans"] + Self.switchKeys,
                                  context: "the switch document", what: "the file",
                                  reserved: Self.reservedSections)
        else { return nil }
        if let field = fields["vlans"] { readVLANs(field) }
        var name = "s1"
        var nameNode = root
        if let field = fields["name"] {
            nameNode = field.value
            if let text = identifier(field.value, what: "switch") { name = text }
        } else {
            missing("name", in: fields, context: "the switch document")
        }
        let config = readSwitch(name: name, nameNode: nameNode, fields: fields, defaultControllers: [])
        switches = [config]
        checkSwitches()
        return TopologyFile(name: name, controllers: [], vlans: Dictionary(uniqueKeysWithValues: vlanNames.map { ($1, $0) }),
                            switches: switches, path: file)
    }

    // MARK: vlans

    func readVLANs(_ field: Field) {
        guard let pairs = pairs(field.value, what: "'vlans'") else { return }
        var seenNames: [String: Node] = [:]
        var seenIDs: [UInt16: Node] = [:]
        for (key, value) in pairs {
            guard let id = vlanNumber(key) else { continue }
            if let first = seenIDs[id] {
                error(key, "duplicate vlan id \(id) in 'vlans' (first at line \(location(first).line))")
                continue
            }
            seenIDs[id] = key
            let context = "vlan \(id)"
            guard let fields = fields(value, owner: key, allowed: ["name"], context: context, what: context) else { continue }
            guard let nameField = fields["name"] else {
                missing("name", in: fields, context: context)
                continue
            }
            guard let name = word(nameField) else { continue }
            if Self.integerValue(name) != nil {
                error(nameField.value, "vlan name '\(name)' must not be a number")
                continue
            }
            if let first = seenNames[name] {
                error(nameField.value, "duplicate vlan name '\(name)' (first at line \(location(first).line))")
                continue
            }
            seenNames[name] = nameField.value
            vlanNames[name] = id
        }
    }

    /// A key of `vlans:`: a number in 1-4094.
    private func vlanNumber(_ key: Node) -> UInt16? {
        guard case .scalar(let scalar) = key, let value = Self.integerValue(scalar.string) else {
            error(key, "expected a VLAN id (1-4094) as key in 'vlans', got \(describe(key))")
            return nil
        }
        guard (1...4094).contains(value) else {
            error(key, "vlan id \(value) in 'vlans' is outside 1-4094")
            return nil
        }
        return UInt16(value)
    }

    // MARK: controller / listen

    func readControllers(_ field: Field) -> [String] {
        guard let items = stringList(field) else { return [] }
        var result: [String] = []
        var seen: Set<ControllerTarget> = []
        for (text, node) in items {
            switch ControllerTarget.parse(text) {
            case .success(let target):
                if !seen.insert(target).inserted {
                    error(node, "controller '\(text)' is listed twice")
                } else {
                    result.append(text)
                }
            case .failure(let failure):
                error(node, "controller: \(failure.message)")
            }
        }
        return result
    }
}
