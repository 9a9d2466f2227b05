import HostNet

/// What the kernel says about the interface behind a port.
struct KernelLinkState {
    var carrier: Bool
    /// The interface's tx_dropped counter, where it could be read.
    var txDropped: UInt64?
}

extension VirtualSwitch {
    /// Once a second (housekeeping thread): reflects each port's carrier in its state — a change
    /// invalidates cached forwarding decisions and forgets MACs learned on a port that went
    /// down — and charges a TAP port with the frames its kernel queue dropped.
    func refreshLinks() {
        let moved = portLocations.withLock { $0 }
        namespaceLinks.keep(only: Set(moved.values.map(\.namespace)))
        for port in ports where port.kind != .pcap {
            let link: KernelLinkState?
            if let location = moved[port.number] {
                link = namespaceLinks.link(named: location.interface, inNamespace: location.namespace).map {
                    KernelLinkState(carrier: $0.isUp && $0.hasCarrier, txDropped: $0.txDropped)
                }
            } else {
                link = Self.readLink((port as? SystemPort)?.interface ?? port.name)
            }
            guard let link else { continue }
            if let tap = port as? TapPort, let dropped = link.txDropped { tap.noteKernelTxDropped(dropped) }
            if link.carrier != port.state.hasCarrier {
                port.state.hasCarrier = link.carrier
                if !link.carrier { datapath.lock.withLock { datapath.macTable.flush(port: port.number) } }
                datapath.invalidateCache()
                portStatusHandler?(port)
            }
        }
    }

    /// An interface in this namespace, from /sys/class/net/NAME. Nil when it is not visible
    /// here (a TAP whose interface moved to another namespace): its state is kept.
    static func readLink(_ ifname: String) -> KernelLinkState? {
        guard let text = Sys.readSysfs("/sys/class/net/\(ifname)/carrier") else { return nil }
        // An interface that is down answers EINVAL: no carrier.
        return KernelLinkState(carrier: text == .value("1"), txDropped: Sys.interfaceTxDropped(ifname))
    }
}
