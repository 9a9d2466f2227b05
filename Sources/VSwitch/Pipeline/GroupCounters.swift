import FlowRules

/// Counters of one group (spec §7.3.5.9): the packets and bytes that went through it, each
/// bucket's, and when it was added. Hit by the datapath like flow counters (a group's counters
/// ride in the cached program of every flow that uses it).
public final class GroupCounters: Sendable {
    public let installedAt: UInt64
    public let total: FlowStats
    public let buckets: [FlowStats]

    init(bucketCount: Int, now: UInt64) {
        installedAt = now
        total = FlowStats(now: now)
        buckets = (0..<bucketCount).map { _ in FlowStats(now: now) }
    }

    /// The counters for `groups`: a group kept with the same number of buckets keeps its
    /// counters (a modify that only changes actions), anything else starts from zero.
    static func carried(over previous: [UInt32: GroupCounters], to groups: [UInt32: GroupEntry], now: UInt64) -> [UInt32: GroupCounters] {
        var result: [UInt32: GroupCounters] = [:]
        for (id, group) in groups {
            if let old = previous[id], old.buckets.count == group.buckets.count {
                result[id] = old
            } else {
                result[id] = GroupCounters(bucketCount: group.buckets.count, now: now)
            }
        }
        return result
    }
}
