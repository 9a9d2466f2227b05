import Controller
import Foundation
import Lab
import Topology

/// `lab up`'s apply step over the controller's REST API: waits until every switch of the
/// topology has connected (so the apply pushes to all of them and its counts are real), then
/// applies the file, barrier-confirmed.
struct RESTApply: LabController {
    /// How long switches may take to connect to the controller.
    var connectDeadline: TimeInterval = 20

    func apply(topologyPath: String, api: String) throws -> String {
        let client = try APIClient(address: api, token: ProcessInfo.processInfo.environment["SDN_API_TOKEN"])
        let topology = try TopologyLoader.load(path: topologyPath)
        let wanted = Set(topology.switches.map { formatDatapathID($0.datapathID) })
        let deadline = Date().addingTimeInterval(connectDeadline)
        var missing = wanted
        while true {
            let connected = Set(try client.get("/v1/switches", as: APISwitchList.self).switches.filter(\.connected).map(\.datapathId))
            missing = wanted.subtracting(connected)
            if missing.isEmpty || Date() > deadline { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard missing.isEmpty else {
            let names = topology.switches.filter { missing.contains(formatDatapathID($0.datapathID)) }.map(\.name)
            throw LabError("switch(es) \(names.joined(separator: ", ")) did not connect to the controller at \(api) within \(Int(connectDeadline)) s")
        }
        guard let data = FileManager.default.contents(atPath: topologyPath) else { throw LabError("cannot read \(topologyPath)") }
        let result = try client.post("/v1/topology", APITopologyRequest(path: topologyPath, yaml: String(decoding: data, as: UTF8.self)),
                                     as: APIApplyResult.self)
        let refused = result.switches.flatMap { s in s.refused.map { "\(s.name): \($0)" } }
        guard refused.isEmpty else { throw LabError("the switches refused flows:\n" + refused.joined(separator: "\n")) }
        let flows = result.switches.reduce(0) { $0 + $1.flows }
        return "\(flows) flow(s) on \(result.switches.count) switch(es), \(result.flowModsSent) flow-mod(s) sent"
    }
}
