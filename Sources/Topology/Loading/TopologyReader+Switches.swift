import Yams

extension TopologyReader {
    static let switchKeys = ["datapath-id", "fail-mode", "controller", "listen", "control-socket",
                             "mac-table-size", "mac-aging", "packet-in-rate", "ports", "flows"]
    static let portKeys = ["name", "type", "interface", "peer", "vlan"]
    static let vlanKeys = ["mode", "tag", "trunks"]

    static let reservedPortTypes = [
        "vxlan": "vxlan ports are not supported yet (VXLAN tunnels)",
        "bond": "bond ports are not supported yet (link bonds)",
    ]

    /// Names ovs-ofctl reads as reserved ports in flows (`output:LOCAL`), so no port may take them.
    static let reservedPortNames: Set<String> = ["IN_PORT", "TABLE", "NORMAL", "FLOOD", "ALL", "CONTROLLER",
                                                  "LOCAL", "ANY", "NONE", "UNSET"]

    static let macTableSizes = 1...16_777_216
    static let macAgingRange = 1...1_000_000
    static let packetInRates = 1...1_000_000
    /// `sun_path` holds 108 bytes including the terminating NUL.
    static let maxSocketPathBytes = 107

    // MARK: switches

    func readSwitches(_ field: Field, defaultControllers: [String]) {
        guard let pairs = pairs(field.value, what: "'switches'") else { return }
        if pairs.isEmpty {
            error(field.key, "'switches' is empty; a topology needs at least one switch")
            return
        }
        var seen: [String: Node] = [:]
        for (key, value) in pairs {
            guard let name = identifier(key, what: "switch") else { continue }
            if let first = seen[name] {
                error(key, "duplicate switch name '\(name)' (first at line \(location(first).line))")
                continue
            }
            seen[name] = key
            let context = "switch '\(name)'"
            guard let fields = fields(value, owner: key, allowed: Self.switchKeys, context: context, what: context) else {
                incompleteSwitches.insert(name)
                switches.append(SwitchConfig(name: name, datapathID: 0, location: location(key)))
                continue
            }
            switches.append(readSwitch(name: name, nameNode: key, fields: fields, defaultControllers: defaultControllers))
        }
    }

    func readSwitch(name: String, nameNode: Node, fields: Fields, defaultControllers: [String]) -> SwitchConfig {
        let context = "switch '\(name)'"
        var config = SwitchConfig(name: name, datapathID: 0, controllers: defaultControllers, location: location(nameNode))

        if let field = fields["datapath-id"] {
            if let id = datapathID(field) {
                config.datapathID = id
                switchFieldLocations[name, default: [:]]["datapath-id"] = location(field.value)
            }
        } else {
            missing("datapath-id", in: fields, context: context)
        }
        if let field = fields["fail-mode"], let mode = choice(field, FailMode.self) { config.failMode = mode }
        if let field = fields["controller"] { config.controllers = readControllers(field) }
        if let field = fields["listen"], let text = string(field) {
            switch ListenTarget.parse(text) {
            case .success:
                config.listen = text
                switchFieldLocations[name, default: [:]]["listen"] = location(field.value)
            case .failure(let failure): error(field.value, "listen: \(failure.message)")
            }
        }
        if let field = fields["control-socket"], let path = word(field, "a path") {
            if path.utf8.count > Self.maxSocketPathBytes {
                error(field.value, "'control-socket' path is \(path.utf8.count) bytes; a unix socket path holds at most \(Self.maxSocketPathBytes)")
            } else {
                config.controlSocket = path
                switchFieldLocations[name, default: [:]]["control-socket"] = location(field.value)
            }
        }
        if let field = fields["mac-table-size"], let size = integer(field, in: Self.macTableSizes) { config.macTableSize = size }
        if let field = fields["mac-aging"], let seconds = integer(field, in: Self.macAgingRange) { config.macAgingSeconds = seconds }
        if let field = fields["packet-in-rate"], let rate = integer(field, in: Self.packetInRates) { config.packetInRate = rate }
        if let field = fields["ports"] {
            config.ports = readPorts(field, switchName: name)
        }
        if let field = fields["flows"] { config.flows = readFlows(field) }
        return config
    }

    /// Decimal, `0x` hex, or eight colon-separated hex bytes; not 0 (which Open vSwitch reads as "unset").
    func datapathID(_ field: Field) -> UInt64? {
        guard case .scalar(let scalar) = field.value, !isNull(field.value) else {
            error(field.value, "expected an integer for 'datapath-id', got \(describe(field.value))")
            return nil
        }
        let text = scalar.string
        var value: UInt64?
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let hex = text.dropFirst(2)
            value = hex.count <= 16 ? UInt64(hex, radix: 16) : nil
        } else if text.contains(":") {
            let bytes = text.split(separator: ":", omittingEmptySubsequences: false)
            if bytes.count == 8, bytes.allSatisfy({ $0.count == 2 }) {
                value = UInt64(bytes.joined(), radix: 16)
            }
        } else if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            value = UInt64(text)
        }
        guard let value else {
            error(field.value, "expected an integer for 'datapath-id', got '\(text)'")
            return nil
        }
        guard value != 0 else {
            error(field.value, "'datapath-id' must not be 0")
            return nil
        }
        return value
    }

    // MARK: ports

    func readPorts(_ field: Field, switchName: String) -> [PortConfig] {
        guard let pairs = pairs(field.value, what: "'ports' of switch '\(switchName)'") else {
            incompleteSwitches.insert(switchName)
            return []
        }
        var ports: [PortConfig] = []
        var numbers: [UInt32: Node] = [:]
        var names: [String: PortConfig] = [:]
        for (key, value) in pairs {
            // Later references to this port are not news once it has an error.
            func unreadable(_ number: Int?) {
                var refs = unreadablePorts[switchName, default: []]
                if let text = key.scalar?.string { refs.insert(text) }
                if let number { refs.insert(String(number)) }
                if let name = value.mapping?["name"]?.scalar?.string { refs.insert(name) }
                unreadablePorts[switchName] = refs
            }
            guard case .scalar(let scalar) = key, let number = Self.integerValue(scalar.string) else {
                error(key, "expected a port number (1-65279) as key in 'ports' of switch '\(switchName)', got \(describe(key))")
                unreadable(nil)
                continue
            }
            guard (1...Int(validPortNumbers.upperBound)).contains(number) else {
                error(key, "port number \(number) of switch '\(switchName)' is outside 1-\(validPortNumbers.upperBound)")
                unreadable(number)
                continue
            }
            let portNumber = UInt32(number)
            if let first = numbers[portNumber] {
                error(key, "duplicate port number \(number) in switch '\(switchName)' (first at line \(location(first).line))")
                unreadable(nil)
                continue
            }
            numbers[portNumber] = key
            guard let port = readPort(number: portNumber, key: key, value: value, switchName: switchName) else {
                unreadable(number)
                continue
            }
            if port.name.isEmpty { unreadable(nil) }
            if !port.name.isEmpty {
                if let first = names[port.name] {
                    error(port.location, "duplicate port name '\(port.name)' in switch '\(switchName)' (port \(first.number) at line \(first.location.line))")
                } else {
                    names[port.name] = port
                }
            }
            ports.append(port)
        }
        return ports.sorted { $0.number < $1.number }
    }

    /// One port; a stand-in with an empty name or unknown type when those could not be read.
    func readPort(number: UInt32, key: Node, value: Node, switchName: String) -> PortConfig? {
        let context = "port \(number) of switch '\(switchName)'"
        let reference = PortReference(switchName: switchName, port: number)
        // A reserved type makes its other keys moot: say "not supported" once, not per key.
        if case .mapping(let mapping) = value, let typeNode = mapping["type"],
           let type = typeNode.scalar?.string, let message = Self.reservedPortTypes[type] {
            error(typeNode, "type: \(message)")
            portsOfUnknownType.insert(reference)
            let name = mapping["name"]?.scalar?.string ?? ""
            return PortConfig(number: number, name: name, type: .system, location: location(key))
        }
        guard let fields = fields(value, owner: key, allowed: Self.portKeys, context: context, what: context) else {
            return nil
        }
        var port = PortConfig(number: number, name: "", type: .system, location: location(key))

        var type: PortType?
        if let field = fields["type"] { type = choice(field, PortType.self) } else { missing("type", in: fields, context: context) }
        if let type { port.type = type } else { portsOfUnknownType.insert(reference) }

        if let field = fields["name"] {
            if let name = portName(field, type: type) { port.name = name }
        } else {
            missing("name", in: fields, context: context)
        }

        if let field = fields["interface"] {
            if type == .system {
                port.interface = interfaceName(field)
            } else if let type {
                error(field.key, "'interface' is only for system ports; port \(number) of switch '\(switchName)' is a \(type.rawValue) port")
            }
        } else if type == .system {
            missing("interface", in: fields, context: "\(context) (a system port needs the kernel interface it attaches)")
        }

        if let field = fields["peer"] {
            if type == .patch {
                if string(field) != nil { pendingPeers.append((reference, field)) }
            } else if let type {
                error(field.key, "'peer' is only for patch ports; port \(number) of switch '\(switchName)' is a \(type.rawValue) port")
            }
        } else if type == .patch {
            missing("peer", in: fields, context: "\(context) (a patch port needs 'peer: SWITCH:PORT')")
        }

        if let field = fields["vlan"] { port.vlan = readVLAN(field, context: context) }
        return port
    }

    /// A port name: referenced as `SWITCH:PORT`, in `--in NAME=FILE` and in flows, so it must
    /// not look like a number or a reserved port; a tap port's name is its kernel device name.
    func portName(_ field: Field, type: PortType?) -> String? {
        guard let name = word(field, "a port name") else { return nil }
        if Self.integerValue(name) != nil {
            error(field.value, "port name '\(name)' must not be a number (numbers name ports by number)")
            return nil
        }
        if Self.reservedPortNames.contains(name.uppercased()) {
            error(field.value, "port name '\(name)' is reserved for an OpenFlow port (\(name.uppercased()))")
            return nil
        }
        if name.contains(where: { ":=,/".contains($0) }) {
            error(field.value, "port name '\(name)' must not contain ':', '=', ',' or '/'")
            return nil
        }
        if type == .tap, let problem = Self.interfaceNameProblem(name) {
            error(field.value, "port name '\(name)' is not a valid interface name for a tap port: \(problem)")
            return nil
        }
        return name
    }

    func readVLAN(_ field: Field, context: String) -> VLANConfig {
        let vlanContext = "'vlan' of \(context)"
        guard let fields = fields(field.value, owner: field.key, allowed: Self.vlanKeys, context: vlanContext,
                                  what: vlanContext) else { return .allVLANs }
        var mode: VLANConfig.Mode?
        var modeIsValid = true
        if let modeField = fields["mode"] {
            mode = choice(modeField, VLANConfig.Mode.self)
            modeIsValid = mode != nil
        }
        let tag = fields["tag"].flatMap { vlanID($0.value, name: "tag") }
        var trunks: [UInt16] = []
        if let trunksField = fields["trunks"] {
            if case .sequence(let items) = trunksField.value {
                for item in items {
                    guard let id = vlanID(item, name: "trunks") else { continue }
                    if trunks.contains(id) {
                        error(item, "'trunks' lists VLAN \(id) twice")
                    } else {
                        trunks.append(id)
                    }
                }
            } else if !isNull(trunksField.value) {
                error(trunksField.value, "expected a list of VLAN ids for 'trunks', got \(describe(trunksField.value))")
            }
        }
        guard modeIsValid else { return .allVLANs }

        let effective = mode ?? (fields["tag"] != nil ? .access : .trunk)
        switch effective {
        case .access:
            if fields["tag"] == nil {
                error(fields["mode"]?.value ?? field.key, "missing 'tag' for vlan mode access in \(context)")
            }
            if let trunksField = fields["trunks"] {
                let why = mode == nil ? " (mode defaults to access when 'tag' is set)" : ""
                error(trunksField.key, "'trunks' is not allowed with vlan mode access\(why); use native-tagged or native-untagged for a native VLAN plus trunks")
            }
        case .trunk:
            if let tagField = fields["tag"] {
                error(tagField.key, "'tag' is not allowed with vlan mode trunk; use native-tagged or native-untagged for a native VLAN")
            }
        case .nativeTagged, .nativeUntagged:
            if fields["tag"] == nil {
                error(fields["mode"]?.value ?? field.key, "missing 'tag' for vlan mode \(effective.rawValue) in \(context)")
            }
        }
        return VLANConfig(mode: effective, tag: tag, trunks: trunks)
    }

    // MARK: flows

    func readFlows(_ field: Field) -> [FlowLine] {
        guard case .sequence(let items) = field.value else {
            if !isNull(field.value) {
                error(field.value, "expected a list of flows for 'flows', got \(describe(field.value))")
            }
            return []
        }
        var flows: [FlowLine] = []
        for item in items {
            guard case .scalar(let scalar) = item, !isNull(item) else {
                error(item, "expected a flow (a string in ovs-ofctl syntax) in 'flows', got \(describe(item))")
                continue
            }
            let text = scalar.string
            if text.allSatisfy(\.isWhitespace) {
                error(item, "empty flow in 'flows'")
                continue
            }
            if let message = flowValidator?(text) {
                error(item, "invalid flow: \(message)")
            }
            flows.append(FlowLine(text: text, location: location(item)))
        }
        return flows
    }
}
