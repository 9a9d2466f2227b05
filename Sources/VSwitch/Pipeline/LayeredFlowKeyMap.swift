import Packet

/// A `FlowKeyMap` made cheap to version: a large `base` that published versions share, and a
/// small `delta` of changes since (nil = removed) that each new version copies.
///
/// A classifier subtable is copied when a flow-mod batch changes it, because the datapath may
/// still read the published one. Copying a whole 100,000-flow map per batch made installs
/// quadratic (the copy and the release of the old map were three quarters of an install);
/// here a batch copies the delta, and the delta is folded into a new base only once it is a
/// quarter of the base, so each flow is copied a bounded number of times on average (a
/// quarter measured best for 100,000 flows in batches of 1,000: ~107k flows/s, against ~98k
/// for an eighth and ~95k for a half; with dense `FlowKeyMap` pairs, 109–117k against
/// 108–118k for a half and 105–109k for an eighth).
public struct LayeredFlowKeyMap<Value> {
    @usableFromInline var base = FlowKeyMap<Value>()
    @usableFromInline var delta = FlowKeyMap<Value?>()
    public private(set) var count = 0

    /// Deltas up to this size are never folded (a small table is cheap to copy anyway).
    static var minimumFoldSize: Int { 1024 }

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public subscript(key: FlowKey) -> Value? {
        @inlinable get {
            let hash = key.fastHash
            if !delta.isEmpty, let change = delta.value(forKey: key, hash: hash) { return change }
            return base.isEmpty ? nil : base.value(forKey: key, hash: hash)
        }
        set {
            let old = self[key]
            switch (old == nil, newValue == nil) {
            case (true, false): count += 1
            case (false, true): count -= 1
            case (true, true): return
            default: break
            }
            // A small map is cheap to copy whole: keep it in the base, so a lookup probes once.
            if delta.isEmpty && base.count < Self.minimumFoldSize {
                if let value = newValue { base.insert(key, value) } else { base.remove(key) }
                return
            }
            delta.insert(key, newValue)
            if delta.count > max(Self.minimumFoldSize, base.count / 4) { fold() }
        }
    }

    /// Applies the delta to (a copy of) the base.
    mutating func fold() {
        var merged = base
        // One rehash into arrays of the final size also saves the copy-on-write of the shared base.
        merged.reserveCapacity(base.count + delta.count)
        for (key, change) in delta.pairs {
            if let value = change { merged.insert(key, value) } else { merged.remove(key) }
        }
        base = merged
        delta = FlowKeyMap()
    }

    /// Every stored pair (order unspecified).
    public var pairs: [(FlowKey, Value)] {
        guard !delta.isEmpty else { return base.pairs }
        var result = base.pairs.filter { delta[$0.0] == nil }
        for (key, change) in delta.pairs { if let value = change { result.append((key, value)) } }
        return result
    }
}

extension LayeredFlowKeyMap: @unchecked Sendable where Value: Sendable {}
