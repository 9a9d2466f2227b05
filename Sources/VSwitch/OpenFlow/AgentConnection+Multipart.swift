import FlowRules
import OpenFlow
import Packet

extension AgentConnection {
    func multipart(_ request: OFMultipartRequest) -> Result<OFMultipartReply.Body, OFRefusal> {
        let now = MonotonicClock.nanoseconds()
        switch request.body {
        case .desc:
            return .success(.desc(OFSwitchDescription(manufacturer: "SwiftSDN", hardware: "vswitchd userspace datapath",
                                                      software: "SwiftSDN 0.1.0", serialNumber: "none",
                                                      datapath: sw.name)))
        case .flow(let req), .aggregate(let req):
            let selector: FlowSelector
            do {
                selector = FlowSelector(table: req.tableID == OFTableID.all ? nil : req.tableID,
                                        match: try OFTranslation.match(req.match), cookie: req.cookie,
                                        cookieMask: req.cookieMask, outPort: PortNumber(req.outPort), outGroup: req.outGroup)
            } catch {
                return .failure(OFRefusal(error.code))
            }
            let isFlowDump: Bool
            if case .flow = request.body { isFlowDump = true } else { isFlowDump = false }
            let flows = sw.flows(selector, ordered: isFlowDump)
            if isFlowDump {
                return .success(.flow(flows.map { OFTranslation.flowStats($0, now: now) }))
            }
            return .success(.aggregate(OFAggregateStats(packetCount: flows.reduce(0) { $0 + $1.stats.packetCount },
                                                        byteCount: flows.reduce(0) { $0 + $1.stats.byteCount },
                                                        flowCount: UInt32(flows.count))))
        case .table:
            let snapshot = sw.snapshot
            let lookups = sw.datapath.cacheHits.load(ordering: .relaxed) + sw.datapath.cacheMisses.load(ordering: .relaxed)
            return .success(.table(snapshot.tables.enumerated().map { i, t in
                let matched = t.unorderedEntries.reduce(0) { $0 + $1.stats.packetCount }
                return OFTableStats(tableID: UInt8(i), activeCount: UInt32(t.count),
                                    lookupCount: i == 0 ? lookups : matched, matchedCount: matched)
            }))
        case .portStats(let portNo):
            let ports = sw.ports.filter { portNo == OFPortNumber.any || $0.number.rawValue == portNo }
            if ports.isEmpty && portNo != OFPortNumber.any { return .failure(OFRefusal(.badRequest(.badPort))) }
            return .success(.portStats(ports.map { p in
                let c = p.counters
                return OFPortStats(portNo: p.number.rawValue, rxPackets: c.rxPackets, txPackets: c.txPackets,
                                   rxBytes: c.rxBytes, txBytes: c.txBytes, rxDropped: c.totalDrops,
                                   txDropped: c.drops(.txError), rxErrors: c.rxErrors, txErrors: c.txErrors)
            }))
        case .portDesc:
            return .success(.portDesc(sw.ports.map(agent.portDescription)))
        case .group(let id):
            let snapshot = sw.snapshot
            let groups = snapshot.groups.values.filter { id == OFGroupID.all || $0.id == id }.sorted { $0.id < $1.id }
            let flows = sw.flows(ordered: false)
            let now = MonotonicClock.nanoseconds()
            return .success(.group(groups.map { g in
                let refs = flows.filter { $0.spec.instructions.allActions.contains(.group(g.id)) }.count
                guard let c = snapshot.groupCounters[g.id] else {
                    return OFGroupStats(groupID: g.id, refCount: UInt32(refs),
                                        bucketStats: g.buckets.map { _ in OFBucketCounter(packetCount: 0, byteCount: 0) })
                }
                let age = now &- c.installedAt
                return OFGroupStats(groupID: g.id, refCount: UInt32(refs), packetCount: c.total.packetCount,
                                    byteCount: c.total.byteCount, durationSec: UInt32(truncatingIfNeeded: age / 1_000_000_000),
                                    durationNsec: UInt32(age % 1_000_000_000),
                                    bucketStats: c.buckets.map { OFBucketCounter(packetCount: $0.packetCount, byteCount: $0.byteCount) })
            }))
        case .groupDesc:
            return .success(.groupDesc(sw.groups.map { g in
                OFGroupDescription(type: OFGroupType(rawValue: g.kind.rawValue) ?? .all, groupID: g.id,
                                   buckets: g.buckets.map { b in
                                       OFBucket(weight: b.weight, watchPort: b.watchPort.rawValue, watchGroup: b.watchGroup,
                                                actions: OFActionList(b.actions.lazy.map(OFTranslation.ofAction)))
                                   })
            }))
        case .groupFeatures:
            return .success(.groupFeatures(OFGroupFeatures(
                types: 0xF, capabilities: [.selectWeight, .selectLiveness, .chaining],
                maxGroups: [65536, 65536, 65536, 65536],
                actions: Array(repeating: (1 << 0) | (1 << 17) | (1 << 18) | (1 << 22) | (1 << 24) | (1 << 25), count: 4))))
        case .tableFeatures(let requested):
            // Setting features is refused (our tables are fixed); an empty request reads them.
            guard requested.isEmpty else { return .failure(OFRefusal(.tableFeaturesFailed(.eperm))) }
            return .success(.tableFeatures((0..<PipelineSnapshot.tableCount).map {
                OFTableFeatures.standard(tableID: UInt8($0), tableCount: PipelineSnapshot.tableCount,
                                         maxEntries: UInt32(sw.definition.maxFlows))
            }))
        case .experimenter:
            return .failure(OFRefusal(.badRequest(.badExperimenter)))
        }
    }
}
