/// `ofp_header`: the 8 bytes every OpenFlow message starts with.
public struct OFHeader: Hashable, Sendable, CustomStringConvertible {
    public static let length = 8

    public var version: UInt8
    /// The raw `ofp_type`; see `messageType`.
    public var type: UInt8
    /// Length of the whole message, header included.
    public var length: UInt16
    public var xid: UInt32

    public init(version: UInt8 = OFP.version, type: UInt8, length: UInt16, xid: UInt32) {
        self.version = version; self.type = type; self.length = length; self.xid = xid
    }

    /// The message type, nil when the number is not one OpenFlow 1.3 defines.
    public var messageType: OFType? { OFType(rawValue: type) }

    /// Parses the first 8 bytes; nil when fewer are given.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count >= Self.length else { return nil }
        var i = bytes.startIndex
        func next() -> UInt8 { defer { i = bytes.index(after: i) }; return bytes[i] }
        version = next()
        type = next()
        length = UInt16(next()) << 8 | UInt16(next())
        xid = UInt32(next()) << 24 | UInt32(next()) << 16 | UInt32(next()) << 8 | UInt32(next())
    }

    /// Parses the first 8 bytes of an array; nil when fewer are given.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.length else { return nil }
        version = bytes[0]
        type = bytes[1]
        length = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        xid = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
    }

    /// The xid of an encoded message, nil when it is shorter than a header.
    public static func xid(of bytes: [UInt8]) -> UInt32? {
        OFHeader(bytes)?.xid
    }

    public var description: String {
        let name = messageType?.description ?? "type \(type)"
        return "\(name) v\(version) len \(length) xid \(xid)"
    }
}
