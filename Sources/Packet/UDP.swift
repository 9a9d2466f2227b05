/// UDP header view (RFC 768).
public struct UDPHeader {
    public static let length = 8
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.length else { throw .truncated(.udp, need: Self.length, have: data.count) }
        bytes = data
    }

    @inlinable public var sourcePort: UInt16 { bytes.be16(0) }
    @inlinable public var destinationPort: UInt16 { bytes.be16(2) }
    /// The length field: header plus payload.
    @inlinable public var length: UInt16 { bytes.be16(4) }
    @inlinable public var checksum: UInt16 { bytes.be16(6) }

    /// Payload bounded by the length field and by the bytes present.
    @inlinable public var payload: UnsafeRawBufferPointer {
        let end = max(Self.length, min(Int(length), bytes.count))
        return bytes.slice(Self.length, end - Self.length)
    }
}
