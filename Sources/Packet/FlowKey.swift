/// Every OpenFlow 1.3 match field of a frame, packed into sixteen 64-bit words so a mask is
/// one vector AND and a lookup key is one hash over fixed-width memory.
///
/// Word layout (field bits within each word, low bit 0):
/// - w0: eth_dst (0–47), eth_type (48–63)
/// - w1: eth_src (0–47), VLAN TCI (48–63: pcp 3 bits | OFPVID_PRESENT | vid 12 bits)
/// - w2: in_port (0–31), ipv4_src / arp_spa (32–63)
/// - w3: ipv4_dst / arp_tpa (0–31), tcp/udp src (32–47), tcp/udp dst (48–63)
/// - w4: ip_proto (0–7), ip_dscp (8–13), ip_ecn (14–15), icmp type (16–23), icmp code (24–31),
///       arp_op (32–47), ip fragment bits (48–55: 1 = fragment, 2 = later fragment)
/// - w5–w6: ipv6_src; w7–w8: ipv6_dst; w9: tunnel_id; w10: arp_sha / nd_sll; w11: arp_tha / nd_tll
/// - w12: metadata (pipeline state, matched like a field); w13–w15: reserved, zero
///
/// ARP addresses share the IPv4 slots and ICMP type/code stand apart from the ports, as in
/// Open vSwitch; the eth_type (and ip_proto) say which reading applies.
public struct FlowKey: Hashable, Sendable {
    public var words: SIMD16<UInt64>

    @inlinable public init() { words = .zero }

    /// Lane-wise compare: `SIMD16 ==` compiles to a scalar loop that spills both vectors on
    /// every step; `all(.==)` is a handful of vector instructions.
    @inlinable public static func == (a: FlowKey, b: FlowKey) -> Bool { all(a.words .== b.words) }
    @inlinable public init(words: SIMD16<UInt64>) { self.words = words }

    /// OFPVID_PRESENT: set in vlan_vid when the frame carries a VLAN tag.
    public static let vlanPresent: UInt16 = 0x1000

    @inlinable @inline(__always)
    func bits(_ w: Int, _ shift: UInt64, _ mask: UInt64) -> UInt64 { (words[w] >> shift) & mask }

    @inlinable @inline(__always)
    mutating func setBits(_ w: Int, _ shift: UInt64, _ mask: UInt64, _ value: UInt64) {
        words[w] = (words[w] & ~(mask << shift)) | ((value & mask) << shift)
    }

    // MARK: L2
    @inlinable public var inPort: UInt32 {
        get { UInt32(truncatingIfNeeded: bits(2, 0, 0xFFFF_FFFF)) }
        set { setBits(2, 0, 0xFFFF_FFFF, UInt64(newValue)) }
    }
    @inlinable public var ethDst: MACAddress {
        get { MACAddress(rawValue: bits(0, 0, 0xFFFF_FFFF_FFFF)) }
        set { setBits(0, 0, 0xFFFF_FFFF_FFFF, newValue.rawValue) }
    }
    @inlinable public var ethSrc: MACAddress {
        get { MACAddress(rawValue: bits(1, 0, 0xFFFF_FFFF_FFFF)) }
        set { setBits(1, 0, 0xFFFF_FFFF_FFFF, newValue.rawValue) }
    }
    @inlinable public var ethType: UInt16 {
        get { UInt16(truncatingIfNeeded: bits(0, 48, 0xFFFF)) }
        set { setBits(0, 48, 0xFFFF, UInt64(newValue)) }
    }
    /// The outermost tag's TCI with the CFI bit standing for OFPVID_PRESENT (0 when untagged).
    @inlinable public var vlanTCI: UInt16 {
        get { UInt16(truncatingIfNeeded: bits(1, 48, 0xFFFF)) }
        set { setBits(1, 48, 0xFFFF, UInt64(newValue)) }
    }
    /// OpenFlow vlan_vid: OFPVID_PRESENT | vid, or 0 (OFPVID_NONE) when untagged.
    @inlinable public var vlanVID: UInt16 {
        get { vlanTCI & 0x1FFF }
        set { vlanTCI = (vlanTCI & 0xE000) | (newValue & 0x1FFF) }
    }
    @inlinable public var vlanPCP: UInt8 {
        get { UInt8(vlanTCI >> 13) }
        set { vlanTCI = (vlanTCI & 0x1FFF) | UInt16(newValue & 7) << 13 }
    }

    // MARK: L3
    @inlinable public var ipProto: UInt8 {
        get { UInt8(truncatingIfNeeded: bits(4, 0, 0xFF)) }
        set { setBits(4, 0, 0xFF, UInt64(newValue)) }
    }
    @inlinable public var ipDSCP: UInt8 {
        get { UInt8(truncatingIfNeeded: bits(4, 8, 0x3F)) }
        set { setBits(4, 8, 0x3F, UInt64(newValue)) }
    }
    @inlinable public var ipECN: UInt8 {
        get { UInt8(truncatingIfNeeded: bits(4, 14, 0x3)) }
        set { setBits(4, 14, 0x3, UInt64(newValue)) }
    }
    /// 1 = the packet is a fragment, 2 = not the first fragment (Open vSwitch's nw_frag).
    @inlinable public var ipFragment: UInt8 {
        get { UInt8(truncatingIfNeeded: bits(4, 48, 0xFF)) }
        set { setBits(4, 48, 0xFF, UInt64(newValue)) }
    }
    @inlinable public var ipv4Src: IPv4Address {
        get { IPv4Address(rawValue: UInt32(truncatingIfNeeded: bits(2, 32, 0xFFFF_FFFF))) }
        set { setBits(2, 32, 0xFFFF_FFFF, UInt64(newValue.rawValue)) }
    }
    @inlinable public var ipv4Dst: IPv4Address {
        get { IPv4Address(rawValue: UInt32(truncatingIfNeeded: bits(3, 0, 0xFFFF_FFFF))) }
        set { setBits(3, 0, 0xFFFF_FFFF, UInt64(newValue.rawValue)) }
    }
    @inlinable public var ipv6Src: IPv6Address {
        get { IPv6Address(high: words[5], low: words[6]) }
        set { words[5] = newValue.high; words[6] = newValue.low }
    }
    @inlinable public var ipv6Dst: IPv6Address {
        get { IPv6Address(high: words[7], low: words[8]) }
        set { words[7] = newValue.high; words[8] = newValue.low }
    }

    // MARK: L4
    /// TCP or UDP source port (ip_proto says which).
    @inlinable public var tpSrc: UInt16 {
        get { UInt16(truncatingIfNeeded: bits(3, 32, 0xFFFF)) }
        set { setBits(3, 32, 0xFFFF, UInt64(newValue)) }
    }
    @inlinable public var tpDst: UInt16 {
        get { UInt16(truncatingIfNeeded: bits(3, 48, 0xFFFF)) }
        set { setBits(3, 48, 0xFFFF, UInt64(newValue)) }
    }
    /// ICMPv4 or ICMPv6 type (eth_type says which).
    @inlinable public var icmpType: UInt8 {
        get { UInt8(truncatingIfNeeded: bits(4, 16, 0xFF)) }
        set { setBits(4, 16, 0xFF, UInt64(newValue)) }
    }
    @inlinable public var icmpCode: UInt8 {
        get { UInt8(truncatingIfNeeded: bits(4, 24, 0xFF)) }
        set { setBits(4, 24, 0xFF, UInt64(newValue)) }
    }

    // MARK: ARP
    @inlinable public var arpOp: UInt16 {
        get { UInt16(truncatingIfNeeded: bits(4, 32, 0xFFFF)) }
        set { setBits(4, 32, 0xFFFF, UInt64(newValue)) }
    }
    @inlinable public var arpSPA: IPv4Address { get { ipv4Src } set { ipv4Src = newValue } }
    @inlinable public var arpTPA: IPv4Address { get { ipv4Dst } set { ipv4Dst = newValue } }
    /// ARP sender hardware address, or the ICMPv6 ND source link-layer option.
    @inlinable public var arpSHA: MACAddress {
        get { MACAddress(rawValue: words[10]) }
        set { words[10] = newValue.rawValue }
    }
    /// ARP target hardware address, or the ICMPv6 ND target link-layer option.
    @inlinable public var arpTHA: MACAddress {
        get { MACAddress(rawValue: words[11]) }
        set { words[11] = newValue.rawValue }
    }

    // MARK: Pipeline
    @inlinable public var tunnelID: UInt64 {
        get { words[9] }
        set { words[9] = newValue }
    }
    @inlinable public var metadata: UInt64 {
        get { words[12] }
        set { words[12] = newValue }
    }

    /// The key with `mask` applied (bits outside the mask cleared).
    @inlinable public func masked(by mask: FlowKey) -> FlowKey { FlowKey(words: words & mask.words) }

    /// A fast non-cryptographic hash of the words (for the datapath's own tables; `hash(into:)`
    /// stays the seeded standard one). Pairs of words are folded with independent 64×64→128-bit
    /// multiplies (as wyhash does), so the multiplies overlap instead of forming one long chain.
    @inlinable public var fastHash: UInt64 {
        @inline(__always) func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let p = a.multipliedFullWidth(by: b)
            return p.high ^ p.low
        }
        let h = mum(words[0] ^ 0xA076_1D64_78BD_642F, words[1] ^ 0xE703_7ED1_A0B4_28DB)
            ^ mum(words[2] ^ 0x8EBC_6AF0_9C88_C6E3, words[3] ^ 0x5899_65CC_7537_4CC3)
            ^ mum(words[4] ^ 0x1D8E_4E27_C47D_124F, words[5] ^ 0xA076_1D64_78BD_642F)
            ^ mum(words[6] ^ 0xE703_7ED1_A0B4_28DB, words[7] ^ 0x8EBC_6AF0_9C88_C6E3)
            ^ mum(words[8] ^ 0x5899_65CC_7537_4CC3, words[9] ^ 0x1D8E_4E27_C47D_124F)
            ^ mum(words[10] ^ 0xA076_1D64_78BD_642F, words[11] ^ 0xE703_7ED1_A0B4_28DB)
            ^ mum(words[12] ^ 0x8EBC_6AF0_9C88_C6E3, 0x5899_65CC_7537_4CC3)
        return mum(h, 0x9E37_79B9_7F4A_7C15)
    }
}
