import Packet

/// A flow's match: a value and a mask over the flow key. Invariant: `value == value & mask`.
public struct FlowMatch: Hashable, Sendable {
    public private(set) var value: FlowKey
    public private(set) var mask: FlowKey

    /// Matches every packet.
    public init() { value = FlowKey(); mask = FlowKey() }

    public init(value: FlowKey, mask: FlowKey) {
        self.value = value.masked(by: mask)
        self.mask = mask
    }

    @inlinable public func matches(_ key: FlowKey) -> Bool {
        all((key.words & mask.words) .== value.words)
    }

    /// Sets a field to match exactly.
    public mutating func set(_ field: FlowField, _ v: FieldValue) {
        set(field, v, mask: field.fullMask)
    }

    public mutating func set(_ field: FlowField, _ v: UInt64) { set(field, FieldValue(v)) }

    /// Sets a field with a bit mask (a zero mask bit wildcards that bit).
    public mutating func set(_ field: FlowField, _ v: FieldValue, mask m: FieldValue) {
        let full = field.fullMask
        let maskValue = FieldValue(high: m.high & full.high, low: m.low & full.low)
        mask[field] = maskValue
        value[field] = FieldValue(high: v.high & maskValue.high, low: v.low & maskValue.low)
    }

    /// Stops matching on a field.
    public mutating func clear(_ field: FlowField) {
        mask[field] = .zero
        value[field] = .zero
    }

    /// The mask of one field (zero when the field is wildcarded).
    public func maskOf(_ field: FlowField) -> FieldValue { mask[field] }
    public func valueOf(_ field: FlowField) -> FieldValue { value[field] }
    public func isWildcarded(_ field: FlowField) -> Bool { mask[field] == .zero }

    /// True when every packet this match accepts is accepted by `other` too is not computed;
    /// this is the OpenFlow "strict" identity: same fields, same masks, same values.
    public func isIdentical(to other: FlowMatch) -> Bool { self == other }

    /// True when `self` is at least as specific as `other` and agrees with it on `other`'s
    /// bits: the non-strict modify/delete rule (spec §6.4).
    public func isSubsumed(by other: FlowMatch) -> Bool {
        // other's mask must be a subset of ours, and our value under other's mask must equal other's value.
        all((mask.words & other.mask.words) .== other.mask.words) && all((value.words & other.mask.words) .== other.value.words)
    }

    /// True when some packet could match both.
    public func overlaps(_ other: FlowMatch) -> Bool {
        let common = mask.words & other.mask.words
        return all((value.words & common) .== (other.value.words & common))
    }
}
