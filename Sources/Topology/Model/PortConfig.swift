/// The lowest and highest OpenFlow port numbers a configured port may have (OFPP_MAX for 1.0
/// compatibility, as Open vSwitch limits them).
public let validPortNumbers: ClosedRange<UInt32> = 1...0xFEFF
/// The VLAN ids a port can carry (0 and 4095 are reserved by 802.1Q).
public let validVLANIDs: ClosedRange<UInt16> = 1...4094

public enum PortType: String, Hashable, Sendable, CaseIterable {
    /// A TAP device the switch creates; its name is the port name.
    case tap
    /// An existing kernel interface (`interface:`), e.g. a NIC or a veth end.
    case system
    /// Frames read from / written to pcap files; offline runs only.
    case pcap
    /// A patch to a port of another switch in the same process (`peer: SWITCH:PORT`).
    case patch
}

/// `ports.N` of a switch.
public struct PortConfig: Hashable, Sendable {
    public var number: UInt32
    public var name: String
    public var type: PortType
    /// The kernel interface for a system port.
    public var interface: String?
    /// The other end of a patch port.
    public var peer: PortReference?
    public var vlan: VLANConfig
    /// Where the port's number is written.
    public var location: SourceLocation

    public init(number: UInt32, name: String, type: PortType, interface: String? = nil,
                peer: PortReference? = nil, vlan: VLANConfig = .allVLANs, location: SourceLocation) {
        self.number = number; self.name = name; self.type = type; self.interface = interface
        self.peer = peer; self.vlan = vlan; self.location = location
    }
}

/// Port VLAN configuration with Open vSwitch `vlan_mode` semantics.
public struct VLANConfig: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, CaseIterable {
        /// Untagged frames belong to `tag`; tagged frames are dropped.
        case access
        /// Tagged frames of `trunks` (all VLANs when empty); untagged frames are dropped.
        case trunk
        /// Like trunk, and `tag` is the native VLAN, sent tagged.
        case nativeTagged = "native-tagged"
        /// Like trunk, and `tag` is the native VLAN, sent untagged.
        case nativeUntagged = "native-untagged"
    }

    public var mode: Mode
    public var tag: UInt16?
    /// Empty means all VLANs.
    public var trunks: [UInt16]

    public init(mode: Mode, tag: UInt16? = nil, trunks: [UInt16] = []) {
        self.mode = mode; self.tag = tag; self.trunks = trunks
    }

    /// A port without `vlan:`: a trunk of all VLANs.
    public static let allVLANs = VLANConfig(mode: .trunk)

    /// Whether frames of `vlan` may enter or leave through this port.
    public func carries(_ vlan: UInt16) -> Bool {
        switch mode {
        case .access: return vlan == tag
        case .trunk: return trunks.isEmpty || trunks.contains(vlan)
        case .nativeTagged, .nativeUntagged: return vlan == tag || trunks.isEmpty || trunks.contains(vlan)
        }
    }
}

/// `SWITCH:PORT` resolved to a port number.
public struct PortReference: Hashable, Sendable, CustomStringConvertible {
    public var switchName: String
    public var port: UInt32

    public init(switchName: String, port: UInt32) {
        self.switchName = switchName; self.port = port
    }

    public var description: String { "\(switchName):\(port)" }
}
