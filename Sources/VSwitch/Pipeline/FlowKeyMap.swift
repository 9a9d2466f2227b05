import Packet

/// An open-addressing hash map keyed by `FlowKey`, hashed with `FlowKey.fastHash`.
///
/// The datapath's tables (classifier subtables, the exact-match cache) use it instead of
/// `Dictionary` because a SipHash over 128 bytes per probe costs more than the rest of a
/// lookup. Linear probing with backward-shift deletion keeps it tombstone-free.
///
/// Pairs live in dense arrays (keys, values, hashes, in no particular order); the probed table
/// holds, per slot, the pair's index and the top half of its hash. The table has twice as many
/// slots as pairs at most, but a slot is 8 bytes where a key is 128: copying the map (a
/// classifier subtable's delta each flow-mod batch, its base on a fold) copies the keys once,
/// not the empty half of a keyed table, and a rehash moves slots, not keys.
public struct FlowKeyMap<Value> {
    /// Per slot: 0 when empty, else the top 32 bits of the hash and the pair's index + 1.
    @usableFromInline var slots: [UInt64]
    @usableFromInline var keys: [FlowKey] = []
    @usableFromInline var values: [Value] = []
    @usableFromInline var hashes: [UInt64] = []
    @usableFromInline var mask: Int

    public init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        keys.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
        hashes.reserveCapacity(minimumCapacity)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    @inlinable static func slot(index: Int, hash: UInt64) -> UInt64 {
        tag(hash) | UInt64(index + 1)
    }

    /// The top half of a hash, as a slot holds it.
    @inlinable static func tag(_ hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF_0000_0000 }

    /// The index of the pair a (non-empty) slot points at.
    @inlinable static func pairIndex(_ slot: UInt64) -> Int { Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1 }

    @inlinable public subscript(key: FlowKey) -> Value? {
        get { value(forKey: key, hash: key.fastHash) }
        set {
            if let v = newValue { insert(key, v) } else { remove(key) }
        }
    }

    /// A lookup with the key's `fastHash` already computed (a layered map probes two maps).
    @inlinable public func value(forKey key: FlowKey, hash: UInt64) -> Value? {
        find(key, hash: hash).map { values[$0.pair] }
    }

    /// The slot holding `key` and the index of its pair, if any. A probe compares the hash tag
    /// before the key.
    @inlinable func find(_ key: FlowKey, hash: UInt64) -> (slot: Int, pair: Int)? {
        let tag = Self.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if Self.tag(s) == tag {
                let pair = Self.pairIndex(s)
                if keys[pair] == key { return (i, pair) }
            }
            i = (i + 1) & mask
        }
    }

    public mutating func insert(_ key: FlowKey, _ value: Value) {
        let hash = key.fastHash
        if let found = find(key, hash: hash) {
            values[found.pair] = value
            return
        }
        if (count + 1) * 2 > slots.count { rehash(capacity: slots.count * 2) }
        place(index: keys.count, hash: hash)
        keys.append(key)
        values.append(value)
        hashes.append(hash)
    }

    /// Puts pair `index` into the first free slot of its probe run.
    private mutating func place(index: Int, hash: UInt64) {
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Self.slot(index: index, hash: hash)
    }

    @discardableResult
    public mutating func remove(_ key: FlowKey) -> Value? {
        guard let (slot, index) = find(key, hash: key.fastHash) else { return nil }
        deleteSlot(slot)
        // Keep the pairs dense: the last one moves into the hole, and its slot follows it.
        let last = keys.count - 1
        if index != last {
            let lastHash = hashes[last]
            var j = Int(truncatingIfNeeded: lastHash) & mask
            while Self.pairIndex(slots[j]) != last { j = (j + 1) & mask }
            slots[j] = Self.slot(index: index, hash: lastHash)
            keys.swapAt(index, last)
            values.swapAt(index, last)
            hashes.swapAt(index, last)
        }
        keys.removeLast()
        hashes.removeLast()
        return values.removeLast()
    }

    /// Backward-shift deletion: pull later members of the probe run into the hole.
    mutating func deleteSlot(_ slot: Int) {
        var hole = slot
        var j = (slot + 1) & mask
        while slots[j] != 0 {
            let home = Int(truncatingIfNeeded: hashes[Self.pairIndex(slots[j])]) & mask
            // Move j into the hole if its home is not in the (hole, j] cyclic range.
            let inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !inRange {
                slots[hole] = slots[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        slots[hole] = 0
    }

    /// Makes room for `count` pairs in one rehash (instead of doubling step by step).
    public mutating func reserveCapacity(_ count: Int) {
        var capacity = slots.count
        while capacity < count * 2 { capacity <<= 1 }
        if capacity > slots.count { rehash(capacity: capacity) }
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
        hashes.reserveCapacity(count)
    }

    /// A new slot table of `capacity`; the pairs stay where they are.
    mutating func rehash(capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for index in hashes.indices { place(index: index, hash: hashes[index]) }
    }

    public mutating func removeAll() {
        guard !keys.isEmpty else { return }
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
    }

    /// Every stored pair (order unspecified).
    public var pairs: [(FlowKey, Value)] {
        Array(zip(keys, values))
    }
}

extension FlowKeyMap: @unchecked Sendable where Value: Sendable {}
