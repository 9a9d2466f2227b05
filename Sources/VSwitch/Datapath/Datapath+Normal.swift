import Packet

extension Datapath {
    /// NORMAL: a VLAN-aware learning switch (802.1Q bridging with Open vSwitch's port VLAN modes).
    func normal(_ c: Cursor, inSlot: Int) {
        let tagged = c.layout.vlanCount > 0
        let vid: UInt16? = tagged ? c.key.vlanVID & 0xFFF : nil
        // In place, not copied out: a copy of a mode retains its VLAN set.
        let ingress = inSlot >= 0 ? modes[inSlot].ingressVLAN(vid: vid) : PortVLANMode.trunkAll.ingressVLAN(vid: vid)
        guard let vlan = ingress else {
            counters(ofSlot: inSlot).dropped(.vlanNotCarried)
            return
        }
        if inSlot >= 0 {  // frames the controller injects teach nothing
            let before = macTable.fullDrops
            macTable.learn(c.key.ethSrc, vlan: vlan, port: portNumbers[inSlot], now: now)
            if macTable.fullDrops != before { counters.dropped(.macTableFull) }
        }

        var variants = EgressVariants()
        defer {
            if let u = variants.untagged { pool.release(u.buffer) }
            if let t = variants.tagged { pool.release(t.buffer) }
        }
        let dst = c.key.ethDst
        if !dst.isMulticast, let learned = macTable.lookup(dst, vlan: vlan, now: now) {
            let slot = slot(learned)
            guard slot >= 0, slot != inSlot else {
                counters(ofSlot: inSlot).dropped(.loopback)
                return
            }
            guard isLive(slot) else { portCounters[slot].dropped(.portDown); return }
            if let ref = variant(modes[slot].egress(vlan: vlan), of: c, vid: vid, vlan: vlan, &variants) { enqueue(slot, ref) }
            return
        }
        for slot in states.indices where slot != inSlot && isLive(slot) {
            if let ref = variant(modes[slot].egress(vlan: vlan), of: c, vid: vid, vlan: vlan, &variants) { enqueue(slot, ref) }
        }
    }

    /// The frame as each kind of egress port needs it, each built at most once per frame.
    struct EgressVariants {
        var untagged: PacketRef?
        var tagged: PacketRef?
    }

    /// The variant of `c` a port of kind `egress` needs, built (once) into `variants`. An
    /// inout struct rather than variables captured by a local function: captured variables are
    /// boxed, and each access to a box costs a run-time exclusivity check.
    @inline(__always)
    func variant(_ egress: PortVLANMode.Egress, of c: Cursor, vid: UInt16?, vlan: UInt16,
                 _ variants: inout EgressVariants) -> PacketRef? {
        let tagged = vid != nil
        switch egress {
        case .drop:
            return nil
        case .untagged:
            if let u = variants.untagged { return u }
            guard tagged else { pool.retain(c.ref.buffer); variants.untagged = c.ref; return c.ref }
            guard var copy = Cursor(ref: copyPacket(c.ref), c) else { return nil }
            popVLAN(&copy)
            variants.untagged = copy.ref
            return copy.ref
        case .tagged:
            if let t = variants.tagged { return t }
            if tagged && vid == vlan { pool.retain(c.ref.buffer); variants.tagged = c.ref; return c.ref }
            guard var copy = Cursor(ref: copyPacket(c.ref), c) else { return nil }
            let pcp = tagged ? c.key.vlanPCP : 0
            if tagged {
                rewriter(copy).setField(.vlanVID, FieldValue(UInt64(vlan)), key: &copy.key, layout: copy.layout, vnet: copy.ref.vnet)
            } else if !pushVLAN(&copy, tpid: EtherType.vlan, tci: UInt16(pcp) << 13 | vlan) {
                pool.release(copy.ref.buffer)
                return nil
            }
            variants.tagged = copy.ref
            return copy.ref
        }
    }
}

extension Datapath.Cursor {
    /// A cursor over a copied buffer, with the original's key and layout.
    init?(ref: PacketRef?, _ original: Datapath.Cursor) {
        guard let ref else { return nil }
        self.init(ref: ref, key: original.key, layout: original.layout)
    }
}
