/// VXLAN header view (RFC 7348): 8 bytes after the outer UDP header, then the inner Ethernet frame.
public struct VXLANHeader {
    public static let length = 8
    public static let udpPort: UInt16 = 4789
    /// The I flag: the VNI is valid.
    public static let flagVNIValid: UInt8 = 0x08
    public let bytes: UnsafeRawBufferPointer

    /// Checks the length and that the I flag is set (RFC 7348 §5: must be 1 for a valid VNI).
    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.length else { throw .truncated(.vxlan, need: Self.length, have: data.count) }
        guard data[0] & Self.flagVNIValid != 0 else { throw .malformed(.vxlan, "I flag clear (flags 0x\(String(data[0], radix: 16)))") }
        bytes = data
    }

    @inlinable public var flags: UInt8 { bytes[0] }
    /// The 24-bit VXLAN network identifier.
    @inlinable public var vni: UInt32 { bytes.be32(4) >> 8 }
    @inlinable public var innerFrame: UnsafeRawBufferPointer { bytes.suffix(from: Self.length) }
}
