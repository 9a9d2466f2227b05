// Address values of the topology model. Topology does not depend on Packet (the controller and
// the CLI share it), so these are small self-contained types; their names differ from Packet's
// `IPv4Address`/`MACAddress` so a file importing both modules stays unambiguous.

/// An IPv4 address with its prefix length, as written on a host: `10.0.0.1/24`.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The address in host byte order (`10.0.0.1` is `0x0A00_0001`).
    public var address: UInt32
    public var prefixLength: Int

    public init(address: UInt32, prefixLength: Int) {
        precondition((0...32).contains(prefixLength), "IPv4 prefix length out of range")
        self.address = address; self.prefixLength = prefixLength
    }

    /// Parses `A.B.C.D/N`; nil when malformed.
    public init?(_ text: some StringProtocol) {
        guard let slash = text.firstIndex(of: "/"),
              let address = IPv4CIDR.parseAddress(text[..<slash]),
              let prefix = parseDecimal(text[text.index(after: slash)...], max: 32)
        else { return nil }
        self.init(address: address, prefixLength: prefix)
    }

    public var netmask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength) }
    public var network: UInt32 { address & netmask }
    public var broadcast: UInt32 { network | ~netmask }
    public var octets: [UInt8] { IPv4CIDR.octets(address) }

    /// Whether `other` lies in this address's subnet.
    public func contains(_ other: UInt32) -> Bool { other & netmask == network }

    /// `10.0.0.1` (without the prefix length).
    public var addressString: String { IPv4CIDR.format(address) }
    /// `10.0.0.0/24`.
    public var networkString: String { "\(IPv4CIDR.format(network))/\(prefixLength)" }
    public var description: String { "\(addressString)/\(prefixLength)" }

    /// Parses dotted-quad `A.B.C.D` (no leading zeros, which inet_aton would read as octal).
    public static func parseAddress(_ text: some StringProtocol) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = parseDecimal(part, max: 255) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    public static func format(_ address: UInt32) -> String {
        octets(address).map(String.init).joined(separator: ".")
    }

    static func octets(_ address: UInt32) -> [UInt8] {
        [UInt8(address >> 24), UInt8(address >> 16 & 0xFF), UInt8(address >> 8 & 0xFF), UInt8(address & 0xFF)]
    }
}

/// An IPv6 address with its prefix length: `2001:db8::2/64`.
public struct IPv6CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The 16 address bytes in network order.
    public var bytes: [UInt8]
    public var prefixLength: Int

    public init(bytes: [UInt8], prefixLength: Int) {
        precondition(bytes.count == 16 && (0...128).contains(prefixLength), "bad IPv6 prefix")
        self.bytes = bytes; self.prefixLength = prefixLength
    }

    /// Parses `ADDR/N`; nil when malformed.
    public init?(_ text: some StringProtocol) {
        guard let slash = text.firstIndex(of: "/"),
              let bytes = IPv6CIDR.parseAddress(text[..<slash]),
              let prefix = parseDecimal(text[text.index(after: slash)...], max: 128)
        else { return nil }
        self.init(bytes: bytes, prefixLength: prefix)
    }

    public func contains(_ other: [UInt8]) -> Bool {
        guard other.count == 16 else { return false }
        var remaining = prefixLength
        for i in 0..<16 where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[i] & mask != other[i] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The address in RFC 5952 form, without the prefix length.
    public var addressString: String { IPv6CIDR.format(bytes) }
    public var description: String { "\(addressString)/\(prefixLength)" }

    /// Parses RFC 4291 text: hex groups, one `::`, an optional trailing dotted quad.
    public static func parseAddress(_ text: some StringProtocol) -> [UInt8]? {
        let text = String(text)
        guard !text.isEmpty, text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }

        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if piece.contains(".") {
                    guard allowIPv4Tail, i == pieces.count - 1,
                          let v4 = IPv4CIDR.parseAddress(piece) else { return nil }
                    result += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                } else {
                    guard (1...4).contains(piece.count), let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }

        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false),
                  let tail = groups(halves[1], allowIPv4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let only = groups(halves[0], allowIPv4Tail: true), only.count == 8 else { return nil }
            all = only
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// RFC 5952: lower-case hex, no leading zeros, the longest run (≥ 2) of zero groups as `::`.
    public static func format(_ bytes: [UInt8]) -> String {
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best = (start: -1, length: 0), run = (start: -1, length: 0)
        for (i, group) in groups.enumerated() {
            if group == 0 {
                run = run.start < 0 ? (i, 1) : (run.start, run.length + 1)
                if run.length > best.length { best = run }
            } else {
                run = (-1, 0)
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }
}

/// A bare IP address of either family, as used for a host's gateway.
public enum IPAddressLiteral: Hashable, Sendable, CustomStringConvertible {
    /// Host byte order.
    case ipv4(UInt32)
    /// 16 bytes, network order.
    case ipv6([UInt8])

    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4CIDR.parseAddress(text) { self = .ipv4(v4) }
        else if let v6 = IPv6CIDR.parseAddress(text) { self = .ipv6(v6) }
        else { return nil }
    }

    public var description: String {
        switch self {
        case .ipv4(let address): IPv4CIDR.format(address)
        case .ipv6(let bytes): IPv6CIDR.format(bytes)
        }
    }
}

/// An Ethernet (MAC) address, written `02:00:00:00:00:01`.
public struct EthernetAddress: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 6, "an Ethernet address has 6 bytes")
        self.bytes = bytes
    }

    /// Parses six two-digit hex octets separated by `:` or `-`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6, text.count == 17 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    public var isMulticast: Bool { bytes[0] & 1 == 1 }
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }
    public var isLocallyAdministered: Bool { bytes[0] & 2 == 2 }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}

/// Decimal digits only, no sign, no leading zeros (except "0"), at most `max`.
func parseDecimal(_ text: some StringProtocol, max: Int) -> Int? {
    guard !text.isEmpty, text.count <= 10, text.allSatisfy({ $0.isASCII && $0.isNumber }),
          text.count == 1 || text.first != "0",
          let value = Int(text), value <= max else { return nil }
    return value
}
