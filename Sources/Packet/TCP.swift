/// TCP header view (RFC 9293).
public struct TCPHeader {
    public static let minimumLength = 20
    public let bytes: UnsafeRawBufferPointer

    /// Checks the fixed header, data offset ≥ 5, and that the options it declares are present.
    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.minimumLength else { throw .truncated(.tcp, need: Self.minimumLength, have: data.count) }
        let offsetWords = Int(data[12] >> 4)
        guard offsetWords >= 5 else { throw .malformed(.tcp, "data offset \(offsetWords) below 5") }
        guard data.count >= offsetWords * 4 else { throw .truncated(.tcp, need: offsetWords * 4, have: data.count) }
        bytes = data
    }

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let fin = Flags(rawValue: 0x001)
        public static let syn = Flags(rawValue: 0x002)
        public static let rst = Flags(rawValue: 0x004)
        public static let psh = Flags(rawValue: 0x008)
        public static let ack = Flags(rawValue: 0x010)
        public static let urg = Flags(rawValue: 0x020)
        public static let ece = Flags(rawValue: 0x040)
        public static let cwr = Flags(rawValue: 0x080)
        public static let ns = Flags(rawValue: 0x100)
    }

    @inlinable public var sourcePort: UInt16 { bytes.be16(0) }
    @inlinable public var destinationPort: UInt16 { bytes.be16(2) }
    @inlinable public var sequenceNumber: UInt32 { bytes.be32(4) }
    @inlinable public var acknowledgmentNumber: UInt32 { bytes.be32(8) }
    /// Data offset in 32-bit words.
    @inlinable public var dataOffset: Int { Int(bytes[12] >> 4) }
    @inlinable public var headerLength: Int { dataOffset * 4 }
    @inlinable public var optionsLength: Int { headerLength - Self.minimumLength }
    @inlinable public var flags: Flags { Flags(rawValue: bytes.be16(12) & 0x1FF) }
    @inlinable public var window: UInt16 { bytes.be16(14) }
    @inlinable public var checksum: UInt16 { bytes.be16(16) }
    @inlinable public var urgentPointer: UInt16 { bytes.be16(18) }
    @inlinable public var options: UnsafeRawBufferPointer { bytes.slice(20, optionsLength) }
    @inlinable public var payload: UnsafeRawBufferPointer { bytes.suffix(from: headerLength) }
}
