import Yams

/// Checks across switches, once all of them are read.
extension TopologyReader {
    func checkSwitches() {
        checkUnique("datapath-id") { config in
            config.datapathID == 0 ? nil : (config.datapathIDString, "datapath-id \(config.datapathIDString)")
        }
        checkUnique("listen") { config in
            guard let target = config.listenTarget, target.port != 0 else { return nil }
            return ("\(target.port)", "listen port \(target.port)")
        }
        checkUnique("control-socket") { config in
            config.controlSocket.map { ($0, "control-socket \($0)") }
        }
        checkKernelInterfaces()
        resolvePatchPeers()
    }

    /// Reports a second switch with the same value of a field, at that switch's value.
    private func checkUnique(_ field: String, _ value: (SwitchConfig) -> (key: String, label: String)?) {
        var firstUser: [String: SwitchConfig] = [:]
        for config in switches {
            guard let (key, label) = value(config) else { continue }
            if let first = firstUser[key] {
                let here = switchFieldLocations[config.name]?[field] ?? config.location
                let there = switchFieldLocations[first.name]?[field] ?? first.location
                error(here, "switch '\(config.name)': \(label) is already used by switch '\(first.name)' (line \(there.line))")
            } else {
                firstUser[key] = config
            }
        }
    }

    /// A tap port's name is a kernel device it creates; a system port's `interface` is one it
    /// attaches (for links, an end of the veth pair). No two ports may claim the same device.
    private func checkKernelInterfaces() {
        var owners: [String: (PortReference, SourceLocation)] = [:]
        for config in switches {
            for port in config.ports {
                let reference = PortReference(switchName: config.name, port: port.number)
                guard !portsOfUnknownType.contains(reference) else { continue }
                let device: String?
                switch port.type {
                case .tap: device = port.name.isEmpty ? nil : port.name
                case .system: device = port.interface
                case .pcap, .patch: device = nil
                }
                guard let device else { continue }
                if let (other, location) = owners[device] {
                    error(port.location, "port \(reference) uses interface '\(device)', already used by port \(other) (line \(location.line))")
                } else {
                    owners[device] = (reference, port.location)
                }
            }
        }
    }

    /// A patch port's peer must be another patch port whose peer is this one.
    private func resolvePatchPeers() {
        var resolved: [PortReference: (peer: PortReference, node: Node)] = [:]
        for (reference, field) in pendingPeers {
            guard let text = field.value.scalar?.string else { continue }
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
                error(field.value, "expected SWITCH:PORT for 'peer', got '\(text)'")
                continue
            }
            let switchName = String(text[..<colon]), portText = String(text[text.index(after: colon)...])
            guard let port = resolvePort(switchName: switchName, switchNode: field.value, portText: portText,
                                         portNode: field.value, user: "'peer' of port \(reference)") else { continue }
            let peer = PortReference(switchName: switchName, port: port.number)
            if peer == reference {
                error(field.value, "'peer' of port \(reference) is the port itself")
                continue
            }
            if !portsOfUnknownType.contains(peer), port.type != .patch {
                error(field.value, "'peer' of port \(reference) is \(peer), a \(port.type.rawValue) port; a patch port's peer is another patch port")
                continue
            }
            resolved[reference] = (peer, field.value)
        }
        for (reference, (peer, node)) in resolved.sorted(by: { $0.key.description < $1.key.description }) {
            if let back = resolved[peer], back.peer != reference {
                error(node, "'peer' of port \(reference) is \(peer), whose own 'peer' is \(back.peer); patch peers must name each other")
            }
            guard let s = switches.firstIndex(where: { $0.name == reference.switchName }),
                  let p = switches[s].ports.firstIndex(where: { $0.number == reference.port }) else { continue }
            switches[s].ports[p].peer = peer
        }
    }
}
