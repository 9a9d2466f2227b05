import FlowRules
import Packet

/// The flows that share one masked key, highest priority first. Almost always one: kept as the
/// entry itself then, not as a one-element array (an allocation per flow on install, and a
/// second object to release and destroy whenever a table version goes).
enum FlowBucket: RandomAccessCollection {
    case one(FlowEntry)
    /// Two or more.
    case many([FlowEntry])

    /// Nil for an empty list.
    init?(_ list: [FlowEntry]) {
        switch list.count {
        case 0: return nil
        case 1: self = .one(list[0])
        default: self = .many(list)
        }
    }

    var startIndex: Int { 0 }
    var endIndex: Int {
        switch self {
        case .one: 1
        case .many(let list): list.count
        }
    }

    subscript(position: Int) -> FlowEntry {
        switch self {
        case .one(let entry):
            precondition(position == 0, "FlowBucket index out of range")
            return entry
        case .many(let list): return list[position]
        }
    }

    /// The highest-priority flow (a bucket is never empty).
    var top: FlowEntry {
        switch self {
        case .one(let entry): entry
        case .many(let list): list[0]
        }
    }
}

/// One mask's worth of flows: a tuple-space-search subtable. Immutable once published.
final class Subtable: @unchecked Sendable {
    let mask: FlowKey
    /// Masked key → flows with exactly that match, highest priority first.
    var buckets: LayeredFlowKeyMap<FlowBucket>
    var maxPriority: UInt16 = 0
    var count = 0
    /// Flows with an idle or hard timeout: subtables without any are skipped by expiry scans.
    var timedCount = 0

    init(mask: FlowKey) {
        self.mask = mask
        buckets = LayeredFlowKeyMap()
    }

    init(copying other: Subtable) {
        mask = other.mask
        buckets = other.buckets
        maxPriority = other.maxPriority
        count = other.count
        timedCount = other.timedCount
    }

    func recomputeMaxPriority() {
        maxPriority = buckets.pairs.reduce(0) { max($0, $1.1.top.priority) }
    }
}

/// One OpenFlow table: flows grouped by mask (tuple space search), read without locks.
///
/// A `FlowTable` is a value: changing it copies only the subtables touched (copy-on-write),
/// so the datapath can keep reading the published version while a new one is built.
public struct FlowTable: Sendable {
    /// Sorted by `maxPriority`, highest first, so a lookup can stop early.
    var subtables: [Subtable] = []
    public private(set) var count = 0

    public init() {}

    /// The highest-priority flow matching `key` (ties: the earliest installed).
    public func lookup(_ key: FlowKey) -> FlowEntry? {
        var best: FlowEntry?
        for sub in subtables {
            if let b = best, sub.maxPriority < b.priority { break }
            guard let candidate = sub.buckets[key.masked(by: sub.mask)]?.top else { continue }
            if let b = best {
                if candidate.priority > b.priority || (candidate.priority == b.priority && candidate.id < b.id) {
                    best = candidate
                }
            } else {
                best = candidate
            }
        }
        return best
    }

    /// True when a flow with exactly this match and priority is installed (OpenFlow "identical").
    public func containsIdentical(_ match: FlowMatch, priority: UInt16) -> Bool {
        guard let sub = subtables.first(where: { $0.mask == match.mask }),
              let bucket = sub.buckets[match.value] else { return false }
        return bucket.contains { $0.priority == priority }
    }

    /// Returns the subtable for `mask`, copied if it is shared with a published version.
    mutating func writableSubtable(_ mask: FlowKey) -> Int {
        if let i = subtables.firstIndex(where: { $0.mask == mask }) {
            if !isKnownUniquelyReferenced(&subtables[i]) { subtables[i] = Subtable(copying: subtables[i]) }
            return i
        }
        subtables.append(Subtable(mask: mask))
        return subtables.count - 1
    }

    /// Adds a flow. A flow with an identical match and priority is replaced (OpenFlow add
    /// semantics); the replaced entry is returned.
    @discardableResult
    public mutating func insert(_ entry: FlowEntry) -> FlowEntry? {
        let i = writableSubtable(entry.match.mask)
        let sub = subtables[i]
        var replaced: FlowEntry?
        if let existing = sub.buckets[entry.match.value] {
            var list = Array(existing)
            if let j = list.firstIndex(where: { $0.priority == entry.priority }) { replaced = list.remove(at: j) }
            list.insert(entry, at: list.firstIndex(where: { $0.priority < entry.priority }) ?? list.count)
            sub.buckets[entry.match.value] = FlowBucket(list)
        } else {
            // A new masked key (the usual install): no list to build.
            sub.buckets[entry.match.value] = .one(entry)
        }
        if let replaced {
            if replaced.hasTimeout { sub.timedCount -= 1 }
        } else {
            sub.count += 1
            count += 1
        }
        if entry.hasTimeout { sub.timedCount += 1 }
        sub.maxPriority = max(sub.maxPriority, entry.priority)
        sortSubtables()
        return replaced
    }

    /// Removes every flow for which `predicate` holds; returns them.
    @discardableResult
    public mutating func remove(where predicate: (FlowEntry) -> Bool) -> [FlowEntry] {
        var removed: [FlowEntry] = []
        var index = 0
        while index < subtables.count {
            let matching = subtables[index].buckets.pairs.filter { $0.1.contains(where: predicate) }
            if matching.isEmpty { index += 1; continue }
            let i = writableSubtable(subtables[index].mask)
            let sub = subtables[i]
            for (key, bucket) in matching {
                let keep = bucket.filter { !predicate($0) }
                let gone = bucket.filter(predicate)
                removed += gone
                sub.count -= gone.count
                sub.timedCount -= gone.reduce(0) { $0 + ($1.hasTimeout ? 1 : 0) }
                sub.buckets[key] = FlowBucket(keep)
            }
            if sub.count == 0 {
                subtables.remove(at: i)
            } else {
                sub.recomputeMaxPriority()
                index += 1
            }
        }
        count -= removed.count
        sortSubtables()
        return removed
    }

    /// Replaces entries in place (modify semantics keep counters): `transform` returns the new
    /// entry for the ones to change, nil for the rest.
    public mutating func replace(_ transform: (FlowEntry) -> FlowEntry?) -> Int {
        var changed = 0
        for index in subtables.indices {
            let candidates = subtables[index].buckets.pairs.filter { $0.1.contains { transform($0) != nil } }
            if candidates.isEmpty { continue }
            let i = writableSubtable(subtables[index].mask)
            let sub = subtables[i]
            for (key, bucket) in candidates {
                sub.buckets[key] = FlowBucket(bucket.map { old in
                    guard let new = transform(old) else { return old }
                    changed += 1
                    sub.timedCount += (new.hasTimeout ? 1 : 0) - (old.hasTimeout ? 1 : 0)
                    return new
                })
            }
        }
        return changed
    }

    mutating func sortSubtables() {
        subtables.sort { $0.maxPriority > $1.maxPriority }
    }

    /// Every flow, in no particular order: for scans where order does not matter (expiry,
    /// counters), without `entries`' sort of the whole table.
    public var unorderedEntries: [FlowEntry] {
        subtables.flatMap { $0.buckets.pairs.flatMap(\.1) }
    }

    /// The flows an idle or hard timeout can remove, in no particular order. Only subtables
    /// holding such flows are walked: a table of 100,000 permanent flows costs nothing here,
    /// where building `unorderedEntries` once a second allocated and retained all of them.
    public var entriesWithTimeouts: [FlowEntry] {
        subtables.filter { $0.timedCount > 0 }.flatMap { $0.buckets.pairs.flatMap(\.1).filter(\.hasTimeout) }
    }

    /// How many flows have an idle or hard timeout.
    public var timedCount: Int { subtables.reduce(0) { $0 + $1.timedCount } }

    /// Every flow, highest priority first.
    public var entries: [FlowEntry] {
        unorderedEntries.sorted { ($0.priority, $1.id) > ($1.priority, $0.id) }
    }

    /// Number of distinct masks in use (the tuple-space size).
    public var maskCount: Int { subtables.count }
}
