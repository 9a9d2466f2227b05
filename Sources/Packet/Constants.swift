/// Ethertypes the parser and builders know by name.
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let vlan: UInt16 = 0x8100
    public static let qinq: UInt16 = 0x88A8
    public static let ipv6: UInt16 = 0x86DD
    public static let slowProtocols: UInt16 = 0x8809
    public static let lldp: UInt16 = 0x88CC

    /// True for the TPIDs that start an 802.1Q / 802.1ad tag.
    @inlinable public static func isVLANTag(_ type: UInt16) -> Bool { type == vlan || type == qinq }
}

/// IP protocol numbers (IPv4 protocol / IPv6 next header).
public enum IPProtocol {
    public static let hopByHop: UInt8 = 0
    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let routing: UInt8 = 43
    public static let fragment: UInt8 = 44
    public static let icmpv6: UInt8 = 58
    public static let noNextHeader: UInt8 = 59
    public static let destinationOptions: UInt8 = 60
}

/// The protocol layers the parser reports errors against.
public enum ProtocolLayer: String, Sendable, CaseIterable {
    case ethernet, vlan, arp, ipv4, ipv6, tcp, udp, icmpv4, icmpv6, vxlan, lacp, lldp
}

/// Why a frame could not be parsed completely.
public enum ParseStatus: Hashable, Sendable, CustomStringConvertible {
    case ok
    /// The frame ends before the header of this layer does.
    case truncated(ProtocolLayer)
    /// A header field of this layer holds an impossible value.
    case malformed(ProtocolLayer)

    public var description: String {
        switch self {
        case .ok: "ok"
        case .truncated(let layer): "truncated:\(layer.rawValue)"
        case .malformed(let layer): "malformed:\(layer.rawValue)"
        }
    }
}

/// A typed error from a header view: which layer, and what was wrong.
public struct PacketError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: ParseStatus
    public var reason: String

    public init(_ status: ParseStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    @usableFromInline static func truncated(_ layer: ProtocolLayer, need: Int, have: Int) -> PacketError {
        PacketError(.truncated(layer), "\(layer.rawValue) header needs \(need) bytes, \(have) present")
    }

    @usableFromInline static func malformed(_ layer: ProtocolLayer, _ why: String) -> PacketError {
        PacketError(.malformed(layer), "\(layer.rawValue): \(why)")
    }

    public var description: String { reason }
}
