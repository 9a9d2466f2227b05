import FlowRules
import Packet

/// The learning table of NORMAL switching: (VLAN, MAC) → port, with aging and a size limit.
/// Used by the datapath thread under the switch's datapath lock; `fdb` reads take the same lock.
public struct MACTable {
    public struct Entry: Sendable {
        public var port: PortNumber
        /// Monotonic nanoseconds of the last frame seen from this address.
        public var lastSeen: UInt64
    }

    public let capacity: Int
    public let agingNanoseconds: UInt64
    var entries: [UInt64: Entry] = [:]
    /// Addresses not learned because the table was full.
    public private(set) var fullDrops: UInt64 = 0
    /// Addresses that moved from one port to another.
    public private(set) var moves: UInt64 = 0

    public init(capacity: Int = 8192, agingSeconds: UInt64 = 300) {
        self.capacity = capacity
        self.agingNanoseconds = agingSeconds * 1_000_000_000
    }

    @inline(__always) static func slot(_ vlan: UInt16, _ mac: MACAddress) -> UInt64 {
        UInt64(vlan) << 48 | mac.rawValue
    }

    public var count: Int { entries.count }

    /// Records that `mac` in `vlan` was seen on `port`.
    @inline(__always) public mutating func learn(_ mac: MACAddress, vlan: UInt16, port: PortNumber, now: UInt64) {
        guard !mac.isMulticast else { return }
        let key = Self.slot(vlan, mac)
        if let old = entries[key] {
            if old.port != port { moves &+= 1 }
            if old.port != port || now &- old.lastSeen > 1_000_000_000 {
                entries[key] = Entry(port: port, lastSeen: now)
            }
            return
        }
        guard entries.count < capacity else { fullDrops &+= 1; return }
        entries[key] = Entry(port: port, lastSeen: now)
    }

    /// The port `mac` was learned on in `vlan`, if known and not aged out.
    @inline(__always) public func lookup(_ mac: MACAddress, vlan: UInt16, now: UInt64) -> PortNumber? {
        guard let e = entries[Self.slot(vlan, mac)], now &- e.lastSeen < agingNanoseconds else { return nil }
        return e.port
    }

    /// Drops entries older than the aging time; returns how many.
    @discardableResult
    public mutating func expire(now: UInt64) -> Int {
        let before = entries.count
        entries = entries.filter { now &- $0.value.lastSeen < agingNanoseconds }
        return before - entries.count
    }

    /// Forgets everything learned on `port` (port removed or down).
    public mutating func flush(port: PortNumber) {
        entries = entries.filter { $0.value.port != port }
    }

    public mutating func flushAll() { entries.removeAll() }

    /// (vlan, mac, port, age seconds), sorted by VLAN then MAC, for `fdb`.
    public func dump(now: UInt64) -> [(vlan: UInt16, mac: MACAddress, port: PortNumber, age: UInt64)] {
        entries.compactMap { key, e in
            let age = now &- e.lastSeen
            guard age < agingNanoseconds else { return nil }
            return (UInt16(key >> 48), MACAddress(rawValue: key & 0xFFFF_FFFF_FFFF), e.port, age / 1_000_000_000)
        }.sorted { ($0.vlan, $0.mac) < ($1.vlan, $1.mac) }
    }
}
