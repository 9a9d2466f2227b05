import Packet

/// In-place header rewrites on a frame, keeping the flow key, the layout and every checksum
/// in step (RFC 1624 incremental updates; partial checksums of offloaded frames kept partial).
struct FrameRewrite {
    let frame: UnsafeMutableRawPointer
    let length: Int

    @inline(__always) func be16(_ o: Int) -> UInt16 { UInt16(bigEndian: frame.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    @inline(__always) func be32(_ o: Int) -> UInt32 { UInt32(bigEndian: frame.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    @inline(__always) func put16(_ v: UInt16, _ o: Int) { frame.storeBytes(of: v.bigEndian, toByteOffset: o, as: UInt16.self) }
    @inline(__always) func put32(_ v: UInt32, _ o: Int) { frame.storeBytes(of: v.bigEndian, toByteOffset: o, as: UInt32.self) }
    @inline(__always) func putMAC(_ m: UInt64, _ o: Int) {
        put16(UInt16(truncatingIfNeeded: m >> 32), o); put32(UInt32(truncatingIfNeeded: m), o + 2)
    }

    /// Offset of the L4 checksum field for the key's protocol, if the L4 header is present.
    func l4ChecksumOffset(_ key: FlowKey, _ layout: FrameLayout) -> Int? {
        guard layout.l4Offset >= 0, key.ipFragment & 2 == 0 else { return nil }
        let l4 = Int(layout.l4Offset)
        switch key.ipProto {
        case IPProtocol.tcp: return l4 + 20 <= length ? l4 + 16 : nil
        case IPProtocol.udp:
            guard l4 + 8 <= length else { return nil }
            // An IPv4 UDP checksum of zero means "none" and stays so.
            if key.ethType == EtherType.ipv4 && be16(l4 + 6) == 0 { return nil }
            return l4 + 6
        case IPProtocol.icmpv6: return l4 + 4 <= length ? l4 + 2 : nil
        default: return nil
        }
    }

    /// Updates the L4 checksum for a change in a word the checksum covers.
    /// `pseudoHeader` says the word is in the pseudo-header (addresses), which is the only
    /// part a partial (offloaded) checksum holds.
    func updateL4(_ key: FlowKey, _ layout: FrameLayout, _ vnet: VirtioNetHeader, old: UInt16, new: UInt16, pseudoHeader: Bool) {
        guard old != new, let at = l4ChecksumOffset(key, layout) else { return }
        let partial = vnet.needsChecksum && Int(vnet.checksumStart) == Int(layout.l4Offset)
        if partial {
            guard pseudoHeader else { return }  // the kernel sums the rest when it finishes
            put16(~InternetChecksum.update(~be16(at), old: old, new: new), at)
        } else {
            var c = InternetChecksum.update(be16(at), old: old, new: new)
            if key.ipProto == IPProtocol.udp && c == 0 { c = 0xFFFF }
            put16(c, at)
        }
    }

    func updateL4(_ key: FlowKey, _ layout: FrameLayout, _ vnet: VirtioNetHeader, old32: UInt32, new32: UInt32, pseudoHeader: Bool) {
        updateL4(key, layout, vnet, old: UInt16(old32 >> 16), new: UInt16(new32 >> 16), pseudoHeader: pseudoHeader)
        updateL4(key, layout, vnet, old: UInt16(old32 & 0xFFFF), new: UInt16(new32 & 0xFFFF), pseudoHeader: pseudoHeader)
    }

    /// Writes one field into the frame. Returns false when the frame has no such header
    /// (the OpenFlow prerequisites were not met), leaving it unchanged.
    @discardableResult
    func setField(_ field: FlowField, _ value: FieldValue, key: inout FlowKey, layout: FrameLayout, vnet: VirtioNetHeader) -> Bool {
        let l3 = Int(layout.l3Offset), l4 = Int(layout.l4Offset)
        let v = value.low
        let isV4 = key.ethType == EtherType.ipv4 && l3 >= 0 && l3 + 20 <= length
        let isV6 = key.ethType == EtherType.ipv6 && l3 >= 0 && l3 + 40 <= length
        switch field {
        case .ethDst: putMAC(v, 0)
        case .ethSrc: putMAC(v, 6)
        case .vlanVID:
            guard layout.vlanCount > 0 else { return false }
            put16((be16(14) & 0xF000) | UInt16(v & 0xFFF), 14)
        case .vlanPCP:
            guard layout.vlanCount > 0 else { return false }
            put16((be16(14) & 0x1FFF) | UInt16(v & 7) << 13, 14)
        case .ipv4Src, .ipv4Dst:
            guard isV4 else { return false }
            let at = l3 + (field == .ipv4Src ? 12 : 16)
            let old = be32(at), new = UInt32(truncatingIfNeeded: v)
            put32(new, at)
            put16(InternetChecksum.update(be16(l3 + 10), old: old, new: new), l3 + 10)
            updateL4(key, layout, vnet, old32: old, new32: new, pseudoHeader: true)
        case .ipDSCP, .ipECN:
            if isV4 {
                let oldWord = be16(l3)
                let tos = UInt8(oldWord & 0xFF)
                let newTOS = field == .ipDSCP ? (UInt8(v & 0x3F) << 2 | tos & 3) : (tos & 0xFC | UInt8(v & 3))
                let newWord = oldWord & 0xFF00 | UInt16(newTOS)
                put16(newWord, l3)
                put16(InternetChecksum.update(be16(l3 + 10), old: oldWord, new: newWord), l3 + 10)
            } else if isV6 {
                let w = be32(l3)
                let tc = UInt8(truncatingIfNeeded: w >> 20)
                let newTC = field == .ipDSCP ? (UInt8(v & 0x3F) << 2 | tc & 3) : (tc & 0xFC | UInt8(v & 3))
                put32(w & 0xF00F_FFFF | UInt32(newTC) << 20, l3)
            } else { return false }
        case .ipv6Src, .ipv6Dst:
            guard isV6 else { return false }
            let at = l3 + (field == .ipv6Src ? 8 : 24)
            let words: [UInt32] = [UInt32(value.high >> 32), UInt32(value.high & 0xFFFF_FFFF),
                                   UInt32(value.low >> 32), UInt32(value.low & 0xFFFF_FFFF)]
            for (i, new) in words.enumerated() {
                let old = be32(at + 4 * i)
                put32(new, at + 4 * i)
                updateL4(key, layout, vnet, old32: old, new32: new, pseudoHeader: true)
            }
        case .tcpSrc, .tcpDst, .udpSrc, .udpDst:
            let wantTCP = field == .tcpSrc || field == .tcpDst
            guard l4 >= 0, l4 + 8 <= length, key.ipFragment & 2 == 0,
                  key.ipProto == (wantTCP ? IPProtocol.tcp : IPProtocol.udp) else { return false }
            let at = l4 + (field == .tcpSrc || field == .udpSrc ? 0 : 2)
            let old = be16(at), new = UInt16(truncatingIfNeeded: v)
            put16(new, at)
            updateL4(key, layout, vnet, old: old, new: new, pseudoHeader: false)
        case .icmpv4Type, .icmpv4Code, .icmpv6Type, .icmpv6Code:
            let v6 = field == .icmpv6Type || field == .icmpv6Code
            guard l4 >= 0, l4 + 4 <= length, key.ipProto == (v6 ? IPProtocol.icmpv6 : IPProtocol.icmp) else { return false }
            let oldWord = be16(l4)
            let newWord = (field == .icmpv4Type || field == .icmpv6Type)
                ? (oldWord & 0x00FF | UInt16(v & 0xFF) << 8) : (oldWord & 0xFF00 | UInt16(v & 0xFF))
            put16(newWord, l4)
            if v6 {
                updateL4(key, layout, vnet, old: oldWord, new: newWord, pseudoHeader: false)
            } else {
                put16(InternetChecksum.update(be16(l4 + 2), old: oldWord, new: newWord), l4 + 2)
            }
        case .arpOp, .arpSPA, .arpTPA, .arpSHA, .arpTHA:
            guard key.ethType == EtherType.arp, l3 >= 0, l3 + 28 <= length else { return false }
            switch field {
            case .arpOp: put16(UInt16(truncatingIfNeeded: v), l3 + 6)
            case .arpSHA: putMAC(v, l3 + 8)
            case .arpSPA: put32(UInt32(truncatingIfNeeded: v), l3 + 14)
            case .arpTHA: putMAC(v, l3 + 18)
            default: put32(UInt32(truncatingIfNeeded: v), l3 + 24)
            }
        case .tunnelID, .metadata:
            break  // pipeline state, not frame bytes
        case .inPort, .ethType, .ipProto:
            return false  // not settable (spec Table 12 lists them as not writable)
        }
        key[field] = value
        return true
    }

    /// Decrements the IPv4 TTL or IPv6 hop limit. Returns false when it would reach zero
    /// (the packet must be dropped) or the frame is not IP.
    func decrementTTL(key: FlowKey, layout: FrameLayout) -> Bool {
        let l3 = Int(layout.l3Offset)
        guard l3 >= 0 else { return false }
        if key.ethType == EtherType.ipv4 && l3 + 20 <= length {
            let oldWord = be16(l3 + 8)
            let ttl = UInt8(oldWord >> 8)
            guard ttl > 1 else { return false }
            let newWord = oldWord &- 0x100
            put16(newWord, l3 + 8)
            put16(InternetChecksum.update(be16(l3 + 10), old: oldWord, new: newWord), l3 + 10)
            return true
        }
        if key.ethType == EtherType.ipv6 && l3 + 40 <= length {
            let hop = frame.load(fromByteOffset: l3 + 7, as: UInt8.self)
            guard hop > 1 else { return false }
            frame.storeBytes(of: hop - 1, toByteOffset: l3 + 7, as: UInt8.self)
            return true
        }
        return false
    }

    /// Finishes a partial (offloaded) checksum in software, for ports that cannot take the
    /// offload: the sum over everything from `checksumStart`, stored at its offset.
    static func completeChecksum(_ frame: UnsafeMutableRawPointer, length: Int, vnet: VirtioNetHeader) {
        guard vnet.needsChecksum else { return }
        let start = Int(vnet.checksumStart), at = start + Int(vnet.checksumOffset)
        guard start < length, at + 2 <= length else { return }
        let c = InternetChecksum.compute(UnsafeRawBufferPointer(start: frame + start, count: length - start))
        frame.storeBytes(of: c.bigEndian, toByteOffset: at, as: UInt16.self)
    }
}
