/// OpenFlow 1.3 port numbers, including the reserved ports (spec §4.5).
public struct PortNumber: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ value: UInt32) { self.rawValue = value }

    /// Highest number of a physical/logical port.
    public static let max = PortNumber(0xFFFF_FF00)
    public static let inPort = PortNumber(0xFFFF_FFF8)
    public static let table = PortNumber(0xFFFF_FFF9)
    public static let normal = PortNumber(0xFFFF_FFFA)
    public static let flood = PortNumber(0xFFFF_FFFB)
    public static let all = PortNumber(0xFFFF_FFFC)
    public static let controller = PortNumber(0xFFFF_FFFD)
    public static let local = PortNumber(0xFFFF_FFFE)
    public static let any = PortNumber(0xFFFF_FFFF)

    @inlinable public var isReserved: Bool { rawValue > Self.max.rawValue }

    /// ovs-ofctl spelling: a number, or the reserved name in upper case.
    public var description: String {
        switch self {
        case .inPort: "IN_PORT"
        case .table: "TABLE"
        case .normal: "NORMAL"
        case .flood: "FLOOD"
        case .all: "ALL"
        case .controller: "CONTROLLER"
        case .local: "LOCAL"
        case .any: "ANY"
        default: String(rawValue)
        }
    }

    public static func < (a: PortNumber, b: PortNumber) -> Bool { a.rawValue < b.rawValue }
}
