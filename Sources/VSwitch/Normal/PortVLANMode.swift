/// A port's VLAN mode for NORMAL switching, with Open vSwitch's `vlan_mode` semantics
/// (vswitch.xml): which VLAN an arriving frame belongs to, and how a frame leaves.
public struct PortVLANMode: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case access, trunk
        case nativeTagged = "native-tagged"
        case nativeUntagged = "native-untagged"
    }

    public var kind: Kind
    /// The access VLAN or the native VLAN.
    public var tag: UInt16
    /// Trunked VLANs; empty means all.
    public var trunks: VLANSet

    public init(kind: Kind, tag: UInt16 = 0, trunks: VLANSet = VLANSet()) {
        self.kind = kind; self.tag = tag; self.trunks = trunks
    }

    public static func access(_ tag: UInt16) -> PortVLANMode { PortVLANMode(kind: .access, tag: tag) }
    public static func trunk(_ vlans: [UInt16] = []) -> PortVLANMode { PortVLANMode(kind: .trunk, trunks: VLANSet(vlans)) }
    /// A port with no VLAN configuration: a trunk of every VLAN.
    public static let trunkAll = PortVLANMode(kind: .trunk)

    /// The VLAN an arriving frame belongs to, or nil when the port must drop it.
    /// `vid` is the frame's outer VLAN id, nil for untagged (a priority tag, VID 0, counts as untagged).
    @inline(__always) public func ingressVLAN(vid: UInt16?) -> UInt16? {
        let tagged = vid.map { $0 != 0 } ?? false
        switch kind {
        case .access:
            return tagged ? nil : tag
        case .trunk:
            // Untagged frames on a trunk are in VLAN 0 (OVS), accepted only when VLAN 0 is trunked.
            let v = tagged ? vid! : 0
            return carries(v) ? v : nil
        case .nativeTagged, .nativeUntagged:
            guard tagged else { return tag }
            return vid! == tag || carries(vid!) ? vid! : nil
        }
    }

    func carries(_ vlan: UInt16) -> Bool { trunks.isEmpty || trunks.contains(vlan) }

    public enum Egress: Equatable { case drop, untagged, tagged }

    /// How a frame of `vlan` leaves this port.
    @inline(__always) public func egress(vlan: UInt16) -> Egress {
        switch kind {
        case .access:
            return vlan == tag ? .untagged : .drop
        case .trunk:
            guard carries(vlan) else { return .drop }
            return vlan == 0 ? .untagged : .tagged
        case .nativeTagged:
            return vlan == tag || (carries(vlan) && vlan != 0) ? .tagged : .drop
        case .nativeUntagged:
            if vlan == tag { return .untagged }
            return carries(vlan) && vlan != 0 ? .tagged : .drop
        }
    }

    public var description: String {
        switch kind {
        case .access: "access vlan \(tag)"
        case .trunk: trunks.isEmpty ? "trunk all" : "trunk \(trunks)"
        case .nativeTagged, .nativeUntagged: "\(kind.rawValue) \(tag)\(trunks.isEmpty ? "" : " trunks \(trunks)")"
        }
    }
}

/// A set of VLAN ids 0–4095 as a 4096-bit bitmap.
public struct VLANSet: Hashable, Sendable, CustomStringConvertible {
    var bits = [UInt64](repeating: 0, count: 64)
    public private(set) var isEmpty = true

    public init() {}
    public init(_ vlans: [UInt16]) { for v in vlans { insert(v) } }

    public mutating func insert(_ v: UInt16) {
        bits[Int(v & 0xFFF) >> 6] |= 1 << UInt64(v & 63)
        isEmpty = false
    }

    @inline(__always) public func contains(_ v: UInt16) -> Bool {
        bits[Int(v & 0xFFF) >> 6] & (1 << UInt64(v & 63)) != 0
    }

    public var members: [UInt16] { (0..<4096).compactMap { contains(UInt16($0)) ? UInt16($0) : nil } }
    public var description: String { members.map(String.init).joined(separator: ",") }
}
