import Yams

extension TopologyReader {
    static let hostKeys = ["switch", "port", "ip", "ipv6", "mac", "gateway", "mtu", "interface", "namespace"]
    static let linkKeys = ["a", "b"]
    static let mtuRange = 68...65535
    static let ipv6MinimumMTU = 1280

    /// Who already uses each switch port (a host or a link end), for "used twice" errors.
    struct PortUse {
        let user: String
        let location: SourceLocation
    }

    // MARK: hosts

    func readHosts(_ field: Field) -> [HostConfig] {
        guard let pairs = pairs(field.value, what: "'hosts'") else { return [] }
        var hosts: [HostConfig] = []
        var seenNames: [String: Node] = [:]
        var ipv4Users: [UInt32: HostConfig] = [:]
        var ipv6Users: [[UInt8]: HostConfig] = [:]
        var macUsers: [EthernetAddress: HostConfig] = [:]
        var interfaceUsers: [String: HostConfig] = [:]

        for (key, value) in pairs {
            guard let name = identifier(key, what: "host") else { continue }
            if let first = seenNames[name] {
                error(key, "duplicate host name '\(name)' (first at line \(location(first).line))")
                continue
            }
            seenNames[name] = key
            guard let host = readHost(name: name, key: key, value: value) else { continue }

            if let ip = host.ipv4 {
                if let other = ipv4Users[ip.address] {
                    error(host.location, "host '\(name)': ip \(ip.addressString) is already used by host '\(other.name)' (line \(other.location.line))")
                } else {
                    ipv4Users[ip.address] = host
                }
            }
            if let ip = host.ipv6 {
                if let other = ipv6Users[ip.bytes] {
                    error(host.location, "host '\(name)': ipv6 \(ip.addressString) is already used by host '\(other.name)' (line \(other.location.line))")
                } else {
                    ipv6Users[ip.bytes] = host
                }
            }
            if let mac = host.mac {
                if let other = macUsers[mac] {
                    error(host.location, "host '\(name)': mac \(mac) is already used by host '\(other.name)' (line \(other.location.line))")
                } else {
                    macUsers[mac] = host
                }
            }
            let slot = "\(host.namespace)\u{0}\(host.interface)"
            if let other = interfaceUsers[slot] {
                error(host.location, "host '\(name)': interface \(host.interface) in namespace '\(host.namespace)' is already used by host '\(other.name)' (line \(other.location.line))")
            } else {
                interfaceUsers[slot] = host
            }
            hosts.append(host)
        }
        return hosts
    }

    /// One host, or nil when it cannot be placed (no switch or port); its other mistakes are
    /// reported either way.
    func readHost(name: String, key: Node, value: Node) -> HostConfig? {
        let context = "host '\(name)'"
        guard let fields = fields(value, owner: key, allowed: Self.hostKeys, context: context, what: context) else {
            return nil
        }
        var attachment: PortReference?
        if let switchField = fields["switch"] {
            if let portField = fields["port"] {
                attachment = hostAttachment(host: name, switchField: switchField, portField: portField)
            } else {
                missing("port", in: fields, context: context)
            }
        } else {
            missing("switch", in: fields, context: context)
            if fields["port"] == nil { missing("port", in: fields, context: context) }
        }

        var host = HostConfig(name: name, switchName: attachment?.switchName ?? "",
                              port: attachment?.port ?? 0, location: location(key))

        if let field = fields["ip"], let text = string(field) {
            if let cidr = IPv4CIDR(text) {
                if let problem = Self.ipv4HostProblem(cidr) {
                    error(field.value, "'ip' \(cidr) \(problem)")
                } else {
                    host.ipv4 = cidr
                }
            } else {
                error(field.value, "expected an IPv4 address with prefix length (like 10.0.0.1/24) for 'ip', got '\(text)'")
            }
        }
        if let field = fields["ipv6"], let text = string(field) {
            if let cidr = IPv6CIDR(text) {
                if let problem = Self.ipv6HostProblem(cidr) {
                    error(field.value, "'ipv6' \(cidr) \(problem)")
                } else {
                    host.ipv6 = cidr
                }
            } else {
                error(field.value, "expected an IPv6 address with prefix length (like 2001:db8::1/64) for 'ipv6', got '\(text)'")
            }
        }
        if let field = fields["mac"], let text = string(field) {
            if let mac = EthernetAddress(text) {
                if mac.isMulticast {
                    error(field.value, "'mac' \(mac) is a multicast address; a host needs a unicast one")
                } else if mac.isZero {
                    error(field.value, "'mac' 00:00:00:00:00:00 is not a usable address")
                } else {
                    host.mac = mac
                }
            } else {
                error(field.value, "expected a MAC address (like 02:00:00:00:00:01) for 'mac', got '\(text)'")
            }
        }
        if let field = fields["gateway"], let text = string(field) {
            host.gateway = readGateway(field, text: text, host: host, fields: fields)
        }
        if let field = fields["mtu"], let mtu = integer(field, in: Self.mtuRange) {
            if host.ipv6 != nil, mtu < Self.ipv6MinimumMTU {
                error(field.value, "'mtu' \(mtu) is below \(Self.ipv6MinimumMTU), the minimum for IPv6 ('ipv6' is set)")
            } else {
                host.mtu = mtu
            }
        }
        if let field = fields["interface"], let interface = interfaceName(field) { host.interface = interface }
        if let field = fields["namespace"], let namespace = string(field) {
            if let problem = Self.namespaceNameProblem(namespace) {
                error(field.value, "'namespace' '\(namespace)' is not a valid network namespace name: \(problem)")
            } else {
                host.namespace = namespace
            }
        }
        return attachment == nil ? nil : host
    }

    static func ipv4HostProblem(_ cidr: IPv4CIDR) -> String? {
        let first = cidr.address >> 24
        if cidr.address == 0 { return "is the unspecified address" }
        if first == 127 { return "is a loopback address" }
        if first >= 224 { return first < 240 ? "is a multicast address" : "is a reserved (class E or broadcast) address" }
        if cidr.prefixLength == 0 { return "has prefix length 0" }
        if cidr.prefixLength <= 30 {
            if cidr.address == cidr.network { return "is the network address of \(cidr.networkString)" }
            if cidr.address == cidr.broadcast { return "is the broadcast address of \(cidr.networkString)" }
        }
        return nil
    }

    static func ipv6HostProblem(_ cidr: IPv6CIDR) -> String? {
        if cidr.bytes.allSatisfy({ $0 == 0 }) { return "is the unspecified address" }
        if cidr.bytes == Array(repeating: 0, count: 15) + [1] { return "is the loopback address" }
        if cidr.bytes[0] == 0xFF { return "is a multicast address" }
        if cidr.prefixLength == 0 { return "has prefix length 0" }
        return nil
    }

    static func namespaceNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.utf8.count > 255 { return "longer than 255 bytes" }
        if name == "." || name == ".." { return "reserved name" }
        if name.unicodeScalars.contains(where: { $0 == "/" || $0.properties.isWhitespace || $0.value < 0x20 }) {
            return "it contains '/' or whitespace"
        }
        return nil
    }

    /// The gateway must be another address in the host's own subnet of the same family.
    private func readGateway(_ field: Field, text: String, host: HostConfig, fields: Fields) -> IPAddressLiteral? {
        guard let gateway = IPAddressLiteral(text) else {
            error(field.value, "expected an IP address for 'gateway', got '\(text)'")
            return nil
        }
        switch gateway {
        case .ipv4(let address):
            guard let ip = host.ipv4 else {
                // A bad 'ip' was reported already; only a missing one is news.
                if fields["ip"] == nil { error(field.value, "'gateway' \(gateway) needs the host's 'ip' in the same subnet") }
                return nil
            }
            if address == ip.address {
                error(field.value, "'gateway' \(gateway) is the host's own address")
            } else if !ip.contains(address) {
                error(field.value, "'gateway' \(gateway) is outside the host's subnet \(ip.networkString)")
            } else if ip.prefixLength <= 30, address == ip.network || address == ip.broadcast {
                error(field.value, "'gateway' \(gateway) is the \(address == ip.network ? "network" : "broadcast") address of \(ip.networkString)")
            } else {
                return gateway
            }
        case .ipv6(let bytes):
            guard let ip = host.ipv6 else {
                if fields["ipv6"] == nil { error(field.value, "'gateway' \(gateway) needs the host's 'ipv6' in the same subnet") }
                return nil
            }
            if bytes == ip.bytes {
                error(field.value, "'gateway' \(gateway) is the host's own address")
            } else if !ip.contains(bytes) {
                error(field.value, "'gateway' \(gateway) is outside the host's subnet \(ip)")
            } else {
                return gateway
            }
        }
        return nil
    }

    private func hostAttachment(host: String, switchField: Field, portField: Field) -> PortReference? {
        guard let switchName = string(switchField), let portText = string(portField) else { return nil }
        guard let port = resolvePort(switchName: switchName, switchNode: switchField.value,
                                     portText: portText, portNode: portField.value,
                                     user: "host '\(host)'") else { return nil }
        let reference = PortReference(switchName: switchName, port: port.number)
        if !portsOfUnknownType.contains(reference), port.type != .tap, port.type != .system {
            error(portField.value, "host '\(host)' is attached to \(reference), a \(port.type.rawValue) port; hosts attach to tap or system ports")
            return nil
        }
        claim(reference, by: "host '\(host)'", at: location(portField.value))
        return reference
    }

    /// A port as written in a host or link (number or name) on a named switch.
    func resolvePort(switchName: String, switchNode: Node, portText: String, portNode: Node, user: String) -> PortConfig? {
        guard let config = switches.first(where: { $0.name == switchName }) else {
            error(switchNode, "\(user) names unknown switch '\(switchName)'\(didYouMean(switchName, switches.map(\.name)))")
            return nil
        }
        if let port = config.port(portText) { return port }
        if incompleteSwitches.contains(switchName) || unreadablePorts[switchName]?.contains(portText) == true {
            return nil  // that port had errors already
        }
        if let number = Self.integerValue(portText) {
            let available = config.ports.map { String($0.number) }.joined(separator: ", ")
            error(portNode, "\(user) names port \(number), which switch '\(switchName)' does not have (ports: \(available.isEmpty ? "none" : available))")
        } else {
            error(portNode, "\(user) names port '\(portText)', which switch '\(switchName)' does not have\(didYouMean(portText, config.ports.map(\.name)))")
        }
        return nil
    }

    /// Records that a port is taken, reporting a second user.
    func claim(_ reference: PortReference, by user: String, at location: SourceLocation) {
        if let first = portUses[reference] {
            error(location, "port \(reference) is already used by \(first.user) (line \(first.location.line))")
        } else {
            portUses[reference] = PortUse(user: user, location: location)
        }
    }

    // MARK: links

    func readLinks(_ field: Field) -> [LinkConfig] {
        guard case .sequence(let items) = field.value else {
            if !isNull(field.value) {
                error(field.value, "expected a list of links ({a: SWITCH:PORT, b: SWITCH:PORT}) for 'links', got \(describe(field.value))")
            }
            return []
        }
        var links: [LinkConfig] = []
        for item in items {
            guard let fields = fields(item, owner: item, allowed: Self.linkKeys, context: "link", what: "a link",
                                      nullIsEmpty: false) else { continue }
            var ends: [PortReference] = []
            for end in ["a", "b"] {
                guard let endField = fields[end] else {
                    missing(end, in: fields, context: "link")
                    continue
                }
                if let reference = linkEnd(endField) { ends.append(reference) }
            }
            guard ends.count == 2 else { continue }
            if ends[0] == ends[1] {
                error(fields["b"]!.value, "link joins port \(ends[0]) to itself")
                continue
            }
            for (end, reference) in zip(["a", "b"], ends) {
                claim(reference, by: "a link", at: location(fields[end]!.value))
            }
            links.append(LinkConfig(a: ends[0], b: ends[1], location: location(item)))
        }
        return links
    }

    /// `SWITCH:PORT`, a system port (links are veth pairs between the ports' interfaces).
    private func linkEnd(_ field: Field) -> PortReference? {
        guard let text = string(field) else { return nil }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
            error(field.value, "expected SWITCH:PORT for '\(field.name)' of link, got '\(text)'")
            return nil
        }
        let switchName = String(text[..<colon]), portText = String(text[text.index(after: colon)...])
        guard let port = resolvePort(switchName: switchName, switchNode: field.value, portText: portText,
                                     portNode: field.value, user: "link end '\(field.name)'") else { return nil }
        let reference = PortReference(switchName: switchName, port: port.number)
        if !portsOfUnknownType.contains(reference), port.type != .system {
            error(field.value, "link end '\(field.name)' is \(reference), a \(port.type.rawValue) port; links join system ports (made as veth pairs)")
            return nil
        }
        return reference
    }
}
