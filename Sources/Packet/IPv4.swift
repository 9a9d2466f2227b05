/// IPv4 header view (RFC 791), including options.
public struct IPv4Header {
    public static let minimumLength = 20
    public let bytes: UnsafeRawBufferPointer

    /// Checks version 4, IHL ≥ 5 and that the whole header (IHL × 4 bytes) is present.
    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.minimumLength else { throw .truncated(.ipv4, need: Self.minimumLength, have: data.count) }
        let vihl = data[0]
        guard vihl >> 4 == 4 else { throw .malformed(.ipv4, "version \(vihl >> 4)") }
        let ihl = Int(vihl & 0xF)
        guard ihl >= 5 else { throw .malformed(.ipv4, "IHL \(ihl) below 5") }
        guard data.count >= ihl * 4 else { throw .truncated(.ipv4, need: ihl * 4, have: data.count) }
        bytes = data
    }

    @inlinable public var version: UInt8 { bytes[0] >> 4 }
    @inlinable public var ihl: Int { Int(bytes[0] & 0xF) }
    @inlinable public var headerLength: Int { ihl * 4 }
    @inlinable public var dscp: UInt8 { bytes[1] >> 2 }
    @inlinable public var ecn: UInt8 { bytes[1] & 3 }
    @inlinable public var totalLength: UInt16 { bytes.be16(2) }
    @inlinable public var identification: UInt16 { bytes.be16(4) }
    /// The 3 flag bits: 0x2 = don't fragment, 0x1 = more fragments.
    @inlinable public var flags: UInt8 { bytes[6] >> 5 }
    @inlinable public var dontFragment: Bool { flags & 2 != 0 }
    @inlinable public var moreFragments: Bool { flags & 1 != 0 }
    /// Fragment offset in 8-byte units.
    @inlinable public var fragmentOffset: UInt16 { bytes.be16(6) & 0x1FFF }
    @inlinable public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
    @inlinable public var ttl: UInt8 { bytes[8] }
    @inlinable public var `protocol`: UInt8 { bytes[9] }
    @inlinable public var checksum: UInt16 { bytes.be16(10) }
    @inlinable public var source: IPv4Address { IPv4Address(rawValue: bytes.be32(12)) }
    @inlinable public var destination: IPv4Address { IPv4Address(rawValue: bytes.be32(16)) }
    @inlinable public var options: UnsafeRawBufferPointer { bytes.slice(20, headerLength - 20) }

    /// The payload as bounded by total length (Ethernet padding excluded) and by the bytes present.
    @inlinable public var payload: UnsafeRawBufferPointer {
        let end = max(headerLength, min(Int(totalLength), bytes.count))
        return bytes.slice(headerLength, end - headerLength)
    }

    /// True when the header checksum verifies.
    public var isChecksumValid: Bool { InternetChecksum.compute(bytes.slice(0, headerLength)) == 0 }
}
