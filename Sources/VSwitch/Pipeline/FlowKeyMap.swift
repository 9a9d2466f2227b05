import Packet

/// An open-addressing hash map keyed by `FlowKey`, hashed with `FlowKey.fastHash`.
///
/// The datapath's tables (classifier subtables, the exact-match cache) use it instead of
/// `Dictionary` because a SipHash over 128 bytes per probe costs more than the rest of a
/// lookup. Linear probing with backward-shift deletion keeps it tombstone-free.
public struct FlowKeyMap<Value> {
    @usableFromInline var keys: [FlowKey]
    @usableFromInline var values: [Value?]
    @usableFromInline var occupied: [Bool]
    @usableFromInline var mask: Int
    public private(set) var count = 0

    public init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        keys = Array(repeating: FlowKey(), count: capacity)
        values = Array(repeating: nil, count: capacity)
        occupied = Array(repeating: false, count: capacity)
        mask = capacity - 1
    }

    public var isEmpty: Bool { count == 0 }

    @inlinable public subscript(key: FlowKey) -> Value? {
        get { value(forKey: key, hash: key.fastHash) }
        set {
            if let v = newValue { insert(key, v) } else { remove(key) }
        }
    }

    /// A lookup with the key's `fastHash` already computed (a layered map probes two maps).
    @inlinable public func value(forKey key: FlowKey, hash: UInt64) -> Value? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while occupied[i] {
            if keys[i] == key { return values[i] }
            i = (i + 1) & mask
        }
        return nil
    }

    public mutating func insert(_ key: FlowKey, _ value: Value) {
        if (count + 1) * 2 > keys.count { grow() }
        var i = Int(truncatingIfNeeded: key.fastHash) & mask
        while occupied[i] {
            if keys[i] == key { values[i] = value; return }
            i = (i + 1) & mask
        }
        occupied[i] = true
        keys[i] = key
        values[i] = value
        count += 1
    }

    @discardableResult
    public mutating func remove(_ key: FlowKey) -> Value? {
        var i = Int(truncatingIfNeeded: key.fastHash) & mask
        while occupied[i] {
            if keys[i] == key {
                let old = values[i]
                deleteSlot(i)
                count -= 1
                return old
            }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Backward-shift deletion: pull later members of the probe run into the hole.
    mutating func deleteSlot(_ slot: Int) {
        var hole = slot
        var j = (slot + 1) & mask
        while occupied[j] {
            let home = Int(truncatingIfNeeded: keys[j].fastHash) & mask
            // Move j into the hole if its home is not in the (hole, j] cyclic range.
            let inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !inRange {
                keys[hole] = keys[j]; values[hole] = values[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        occupied[hole] = false
        values[hole] = nil
        keys[hole] = FlowKey()
    }

    mutating func grow() { rehash(capacity: keys.count * 2) }

    /// Makes room for `count` pairs in one rehash (instead of doubling step by step).
    public mutating func reserveCapacity(_ count: Int) {
        var capacity = keys.count
        while capacity < count * 2 { capacity <<= 1 }
        if capacity > keys.count { rehash(capacity: capacity) }
    }

    mutating func rehash(capacity: Int) {
        let oldKeys = keys, oldValues = values, oldOccupied = occupied
        keys = Array(repeating: FlowKey(), count: capacity)
        values = Array(repeating: nil, count: capacity)
        occupied = Array(repeating: false, count: capacity)
        mask = capacity - 1
        count = 0
        for i in 0..<oldKeys.count where oldOccupied[i] { insert(oldKeys[i], oldValues[i]!) }
    }

    public mutating func removeAll() {
        for i in 0..<keys.count where occupied[i] { occupied[i] = false; values[i] = nil }
        count = 0
    }

    /// Every stored pair (order unspecified).
    public var pairs: [(FlowKey, Value)] {
        (0..<keys.count).compactMap { occupied[$0] ? (keys[$0], values[$0]!) : nil }
    }
}

extension FlowKeyMap: @unchecked Sendable where Value: Sendable {}
