/// An OpenFlow group (spec §5.6).
public struct GroupEntry: Hashable, Sendable {
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// Every bucket gets a copy (multicast/flood).
        case all = 0
        /// One bucket, chosen by a hash of the flow, weighted.
        case select = 1
        /// The single bucket.
        case indirect = 2
        /// The first bucket whose watched port is live.
        case fastFailover = 3
    }

    public struct Bucket: Hashable, Sendable {
        public var weight: UInt16
        public var watchPort: PortNumber
        public var watchGroup: UInt32
        public var actions: [FlowAction]

        public init(weight: UInt16 = 1, watchPort: PortNumber = .any, watchGroup: UInt32 = 0xFFFF_FFFF,
                    actions: [FlowAction]) {
            self.weight = weight; self.watchPort = watchPort; self.watchGroup = watchGroup; self.actions = actions
        }
    }

    public var id: UInt32
    public var kind: Kind
    public var buckets: [Bucket]

    public init(id: UInt32, kind: Kind, buckets: [Bucket]) {
        self.id = id; self.kind = kind; self.buckets = buckets
    }
}
