import Packet
@testable import OpenFlow

/// Realistic messages of every type (and every multipart kind) for round trips, the tshark
/// dissector check and the fuzz corpus.
enum SampleMessages {
    static let mac1 = MACAddress(0x02, 0, 0, 0, 0, 0x01)
    static let mac2 = MACAddress(0x02, 0, 0, 0, 0, 0x02)

    static let ipv4Match = OFMatch([
        .inPort(1), .ethType(0x0800), .ipv4Dst(IPv4Address(10, 0, 0, 0), prefix: 8),
    ])
    static let tcpMatch = OFMatch([
        .inPort(3), .ethSrc(mac1), .ethDst(MACAddress(0x02, 0, 0, 0, 0, 0), mask: MACAddress(rawValue: 0xFFFF_FF00_0000)),
        .vlanVID(10), OXMField(.vlanPCP, 3), .ethType(0x0800), OXMField(.ipDSCP, 46), OXMField(.ipECN, 1),
        .ipProto(6), .ipv4Src(IPv4Address(192, 168, 1, 0), prefix: 24), .tcpSrc(1234), .tcpDst(80),
        .metadata(0xAB, mask: 0xFF), .tunnelID(5000),
    ])
    static let ipv6Match = OFMatch([
        .ethType(0x86DD), .ipv6Src(IPv6Address("2001:db8::1")!),
        .ipv6Dst(IPv6Address("2001:db8::")!, mask: IPv6Address("ffff:ffff::")!), .ipProto(58),
        OXMField(.icmpv6Type, 135), OXMField(.icmpv6Code, 0),
    ])
    static let arpMatch = OFMatch([
        .ethType(0x0806), OXMField(.arpOp, 1), OXMField(.arpSPA, 0x0A00_0001), OXMField(.arpTPA, 0x0A00_0002),
        OXMField(.arpSHA, mac1.rawValue), OXMField(.arpTHA, 0, mask: 0xFFFF_FFFF_FFFF),
    ])
    static let udpMatch = OFMatch([.ethType(0x0800), .ipProto(17), .udpSrc(68), .udpDst(67), .vlanAny])
    static let icmpMatch = OFMatch([.ethType(0x0800), .ipProto(1), OXMField(.icmpv4Type, 8), OXMField(.icmpv4Code, 0)])

    static let allActions: [OFAction] = [
        .popVLAN, .pushVLAN(ethertype: 0x8100), .setField(OXMField(.vlanVID, UInt64(0x1000 | 20))),
        .setField(.ethDst(mac2)), .setField(.ipv6Src(IPv6Address("fe80::1")!)), .decNwTTL, .setNwTTL(9),
        .setQueue(2), .group(7), .output(port: 2), .output(port: OFPortNumber.controller, maxLength: 128),
    ]

    static let flowMod = OFFlowMod(
        cookie: 0x1122_3344_5566_7788, tableID: 0, command: .add, idleTimeout: 30, hardTimeout: 300, priority: 100,
        flags: [.sendFlowRemoved, .checkOverlap], match: ipv4Match,
        instructions: [.applyActions([.output(port: 2)])])

    static let flowModRich = OFFlowMod(
        cookie: 42, cookieMask: 0xFFFF, tableID: 1, command: .modifyStrict, priority: 2000,
        flags: [.resetCounts, .noPacketCounts, .noByteCounts], match: tcpMatch,
        instructions: [.applyActions(OFActionList(allActions)), .clearActions, .writeActions([.output(port: OFPortNumber.normal)]),
                       .writeMetadata(value: 0x10, mask: 0xF0), .gotoTable(3)])

    static let port = OFPortDescription(
        portNo: 1, hwAddr: mac1, name: "h1-tap", config: [.noPacketIn], state: [.live],
        current: [.rate10GbFD, .copper], advertised: [.rate10GbFD], supported: [.rate1GbFD, .rate10GbFD],
        peer: [], currentSpeed: 10_000_000, maxSpeed: 10_000_000)

    static let buckets = [
        OFBucket(weight: 1, actions: [.output(port: 1)]),
        OFBucket(weight: 2, watchPort: 2, actions: [.setField(.ethSrc(mac1)), .output(port: 2)]),
    ]

    static var frame: [UInt8] {
        EthernetFrame(destination: mac2, source: mac1, etherType: 0x0800,
                      payload: IPv4Packet(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2),
                                          protocol: 17,
                                          payload: UDPDatagram(sourcePort: 1000, destinationPort: 2000, payload: [1, 2, 3])
                                              .bytes(.v4(IPv4Address(10, 0, 0, 1), IPv4Address(10, 0, 0, 2)))).bytes())
            .bytes(minimumLength: 60)
    }

    static let multipartRequests: [(String, OFMultipartRequest)] = [
        ("mp-req-desc", OFMultipartRequest(.desc)),
        ("mp-req-flow", OFMultipartRequest(.flow(OFFlowStatsRequest(tableID: 0, match: ipv4Match)))),
        ("mp-req-aggregate", OFMultipartRequest(.aggregate(OFFlowStatsRequest(outPort: 2, cookie: 1, cookieMask: 1)))),
        ("mp-req-table", OFMultipartRequest(.table)),
        ("mp-req-port-stats", OFMultipartRequest(.portStats(portNo: OFPortNumber.any))),
        ("mp-req-port-desc", OFMultipartRequest(.portDesc)),
        ("mp-req-group", OFMultipartRequest(.group(groupID: OFGroupID.all))),
        ("mp-req-group-desc", OFMultipartRequest(.groupDesc)),
        ("mp-req-group-features", OFMultipartRequest(.groupFeatures)),
        ("mp-req-table-features", OFMultipartRequest(.tableFeatures([]))),
        ("mp-req-table-features-set", OFMultipartRequest(.tableFeatures([.standard(tableID: 0, tableCount: 2)]))),
    ]

    static let multipartReplies: [(String, OFMultipartReply)] = [
        ("mp-reply-desc", OFMultipartReply(.desc(OFSwitchDescription(
            manufacturer: "SwiftSDN", hardware: "vswitchd", software: "0.1", serialNumber: "none", datapath: "s1")))),
        ("mp-reply-flow", OFMultipartReply(.flow([
            OFFlowStats(tableID: 0, durationSec: 10, durationNsec: 500, priority: 100, idleTimeout: 30,
                        flags: [.sendFlowRemoved], cookie: 9, packetCount: 1000, byteCount: 64000, match: ipv4Match,
                        instructions: [.applyActions([.output(port: 2)])]),
            OFFlowStats(tableID: 1, priority: 0, match: .all, instructions: []),
        ]), flags: .more)),
        ("mp-reply-aggregate", OFMultipartReply(.aggregate(OFAggregateStats(packetCount: 5, byteCount: 320, flowCount: 2)))),
        ("mp-reply-table", OFMultipartReply(.table([
            OFTableStats(tableID: 0, activeCount: 3, lookupCount: 100, matchedCount: 90),
            OFTableStats(tableID: 1, activeCount: 0, lookupCount: 10, matchedCount: 0),
        ]))),
        ("mp-reply-port-stats", OFMultipartReply(.portStats([
            OFPortStats(portNo: 1, rxPackets: 10, txPackets: 20, rxBytes: 1000, txBytes: 2000, rxDropped: 1,
                        collisions: 0, durationSec: 60, durationNsec: 1),
        ]))),
        ("mp-reply-port-desc", OFMultipartReply(.portDesc([port,
            OFPortDescription(portNo: OFPortNumber.local, hwAddr: mac2, name: "s1", config: [.portDown],
                              state: [.linkDown])]))),
        ("mp-reply-group", OFMultipartReply(.group([
            OFGroupStats(groupID: 7, refCount: 1, packetCount: 3, byteCount: 300, durationSec: 5,
                         bucketStats: [OFBucketCounter(packetCount: 1, byteCount: 100),
                                       OFBucketCounter(packetCount: 2, byteCount: 200)]),
        ]))),
        ("mp-reply-group-desc", OFMultipartReply(.groupDesc([
            OFGroupDescription(type: .select, groupID: 7, buckets: buckets),
            OFGroupDescription(type: .indirect, groupID: 8, buckets: [OFBucket(actions: [.output(port: 3)])]),
        ]))),
        ("mp-reply-group-features", OFMultipartReply(.groupFeatures(OFGroupFeatures(
            types: 0b1111, capabilities: [.selectWeight, .chaining], maxGroups: [1024, 1024, 1024, 1024],
            actions: [0x0260_0001, 0x0260_0001, 0x0260_0001, 0x0260_0001])))),
        ("mp-reply-table-features", OFMultipartReply(.tableFeatures([
            .standard(tableID: 0, tableCount: 2), .standard(tableID: 1, tableCount: 2),
        ]))),
    ]

    /// One of every message type, then every multipart kind.
    static var all: [(String, OFMessage)] {
        var list: [(String, OFMessage)] = [
            ("hello", .hello(.openFlow13)),
            // The offending flow-mod is 64 bytes, so the error carries all of it: tshark 4.0 dissects
            // the echoed bytes as a whole message and calls a cut one malformed.
            ("error", OFMessage.error(.badMatch(.badPrereq), offending: try! OFMessage.flowMod(
                OFFlowMod(match: OFMatch([OXMField(.tcpDst, 80)]))).encode(xid: 3))),
            ("echo-request", .echoRequest([1, 2, 3, 4])),
            ("echo-reply", .echoReply([1, 2, 3, 4])),
            ("experimenter", .experimenter(OFExperimenterMessage(experimenter: 0x2320, expType: 17, data: [9, 9]))),
            ("features-request", .featuresRequest),
            ("features-reply", .featuresReply(OFFeaturesReply(datapathID: 0x0000_0000_0000_0001, nBuffers: 0, nTables: 4,
                                                               capabilities: [.flowStats, .tableStats, .portStats, .groupStats]))),
            ("get-config-request", .getConfigRequest),
            ("get-config-reply", .getConfigReply(OFSwitchConfig(flags: .fragNormal, missSendLength: 128))),
            ("set-config", .setConfig(OFSwitchConfig(flags: .fragDrop, missSendLength: OFP.controllerNoBuffer))),
            ("packet-in", .packetIn(OFPacketIn(reason: .noMatch, tableID: 0, cookie: 0xFFFF_FFFF_FFFF_FFFF,
                                               match: OFMatch([.inPort(1), .metadata(7), .tunnelID(10)]), data: frame))),
            ("flow-removed", .flowRemoved(OFFlowRemoved(
                cookie: 1, priority: 100, reason: .idleTimeout, tableID: 0, durationSec: 12, durationNsec: 3,
                idleTimeout: 10, hardTimeout: 0, packetCount: 5, byteCount: 500, match: ipv4Match))),
            ("port-status", .portStatus(OFPortStatus(reason: .modify, port: port))),
            ("packet-out", .packetOut(OFPacketOut(inPort: OFPortNumber.controller,
                                                  actions: [.output(port: OFPortNumber.flood)], data: frame))),
            ("flow-mod", .flowMod(flowMod)),
            ("flow-mod-rich", .flowMod(flowModRich)),
            ("flow-mod-ipv6", .flowMod(OFFlowMod(tableID: 2, priority: 5, match: ipv6Match,
                                                 instructions: [.writeActions([.output(port: 4)])]))),
            ("flow-mod-arp", .flowMod(OFFlowMod(priority: 5, match: arpMatch,
                                                instructions: [.applyActions([.output(port: OFPortNumber.all)])]))),
            ("flow-mod-udp", .flowMod(OFFlowMod(priority: 6, match: udpMatch,
                                                instructions: [.applyActions([.output(port: OFPortNumber.local)])]))),
            ("flow-mod-icmp", .flowMod(OFFlowMod(priority: 7, match: icmpMatch,
                                                 instructions: [.applyActions([.output(port: OFPortNumber.inPort)])]))),
            ("flow-mod-delete", .flowMod(OFFlowMod(tableID: OFTableID.all, command: .delete, outPort: 3))),
            ("group-mod", .groupMod(OFGroupMod(command: .add, type: .select, groupID: 7, buckets: buckets))),
            ("port-mod", .portMod(OFPortMod(portNo: 1, hwAddr: mac1, config: [.portDown], mask: [.portDown],
                                            advertise: [.rate1GbFD]))),
            ("table-mod", .tableMod(OFTableMod(tableID: 1, config: 3))),
            ("barrier-request", .barrierRequest),
            ("barrier-reply", .barrierReply),
            ("role-request", .roleRequest(OFRoleMessage(role: .master, generationID: 12))),
            ("role-reply", .roleReply(OFRoleMessage(role: .slave, generationID: 12))),
            ("get-async-request", .getAsyncRequest),
            ("get-async-reply", .getAsyncReply(.default)),
            ("set-async", .setAsync(OFAsyncConfig(packetIn: .init(masterEqual: 1, slave: 0),
                                                  portStatus: .init(masterEqual: 7, slave: 7),
                                                  flowRemoved: .init(masterEqual: 15, slave: 0)))),
        ]
        list += multipartRequests.map { ($0.0, .multipartRequest($0.1)) }
        list += multipartReplies.map { ($0.0, .multipartReply($0.1)) }
        return list
    }
}
