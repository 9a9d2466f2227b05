import FlowRules
import Foundation
import OpenFlow
import Topology

/// An HTTP request as the router sees it.
public struct APIRequest: Sendable {
    public var method: String
    /// The path without the query, e.g. `/v1/switches/s1/flows`.
    public var path: String
    public var query: [String: String]
    public var body: [UInt8]
}

public struct APIResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> APIResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"response encoding failed"}"#.utf8)
        return APIResponse(status: status, body: Array(data) + [0x0A])
    }

    static func error(_ status: Int, _ message: String, details: [String]? = nil) -> APIResponse {
        json(APIError(error: message, details: details), status: status)
    }
}

/// A resource that does not exist (404).
struct NotFound: Error { var message: String }

/// The REST API's routes over a controller (`docs/openapi.yaml` describes them).
public struct APIRouter: Sendable {
    public let controller: Controller

    public init(controller: Controller) { self.controller = controller }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.first == "v1" else { return .error(404, "no such resource: \(request.path) (the API lives under /v1)") }
        let route = Array(parts.dropFirst())
        do {
            switch (request.method, route.count, route.first) {
            case ("GET", 1, "health"): return health()
            case ("GET", 1, "switches"): return switches()
            case ("GET", 3, "switches") where route[2] == "ports": return try ports(route[1])
            case ("GET", 3, "switches") where route[2] == "flows": return try await flows(route[1])
            case ("POST", 3, "switches") where route[2] == "flows": return try await addFlows(route[1], request.body)
            case ("DELETE", 3, "switches") where route[2] == "flows": return try await deleteFlows(route[1], request.query["match"])
            case ("GET", 1, "topology"): return topology()
            case ("POST", 1, "topology"): return try await apply(request.body)
            case ("POST", 2, "topology") where route[1] == "diff": return try await diff(request.body)
            case ("GET", 1, "links"): return links()
            case ("GET", 1, "hosts"): return hosts()
            default:
                return .error(404, "no such resource: \(request.method) \(request.path)")
            }
        } catch let error as NotFound {
            return .error(404, error.message)
        } catch let error as APIError {
            return .json(error, status: 400)
        } catch let error as TopologyError {
            return .error(422, "the topology was refused (\(error.diagnostics.count) error(s)); nothing was applied",
                          details: error.diagnostics.map(\.description))
        } catch let error as FlowSyntaxError {
            return .error(422, error.description)
        } catch let error as ControllerError {
            return .error(409, error.description)
        } catch {
            return .error(500, "\(error)")
        }
    }

    // MARK: Switches

    func health() -> APIResponse {
        .json(APIHealth(status: "ok", switches: controller.sessions.count, topology: controller.appliedTopology?.topology.name))
    }

    /// Connected switches and the applied topology's switches, by datapath id.
    func switches() -> APIResponse {
        var dpids = Set(controller.sessions.compactMap(\.datapathID))
        for sw in controller.appliedTopology?.switches ?? [] { dpids.insert(sw.datapathID) }
        let list = dpids.sorted().map { dpid in
            let session = controller.session(datapathID: dpid)
            return APISwitch(name: controller.switchName(dpid), datapathId: formatDatapathID(dpid), connected: session != nil,
                             address: session.map { "\($0.remoteAddress)" }, ports: session?.ports.count,
                             intendedFlows: controller.intendedFlows(datapathID: dpid).count)
        }
        return .json(APISwitchList(switches: list))
    }

    func resolve(_ reference: String) throws -> UInt64 {
        let name = reference.removingPercentEncoding ?? reference
        guard let dpid = controller.datapathID(of: name) else {
            let known = (controller.appliedTopology?.switches.map(\.name) ?? []) + controller.sessions.map { formatDatapathID($0.datapathID ?? 0) }
            throw NotFound(message: "unknown switch '\(name)'" + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
        }
        return dpid
    }

    func connected(_ reference: String) throws -> SwitchSession {
        let dpid = try resolve(reference)
        guard let session = controller.session(datapathID: dpid) else { throw ControllerError.notConnected(datapathID: dpid) }
        return session
    }

    func ports(_ reference: String) throws -> APIResponse {
        let session = try connected(reference)
        let dpid = session.datapathID ?? 0
        let ports = session.ports.filter { $0.portNo <= OFPortNumber.max }.map {
            APIPort(number: $0.portNo, name: $0.name, mac: $0.hwAddr.description, up: SwitchSession.isUp($0))
        }
        return .json(APIPortList(switch: controller.switchName(dpid), datapathId: formatDatapathID(dpid), ports: ports))
    }

    func flows(_ reference: String) async throws -> APIResponse {
        let dpid = try resolve(reference)
        let entries = try await controller.installedFlows(datapathID: dpid)
        let flows = entries.sorted { ($0.tableID, -Int($0.priority)) < ($1.tableID, -Int($1.priority)) }.map { e in
            APIFlow(table: e.tableID, priority: e.priority, cookie: "0x" + String(e.cookie, radix: 16), packets: e.packetCount,
                    bytes: e.byteCount, durationSeconds: Double(e.durationSec) + Double(e.durationNsec) / 1e9,
                    text: Controller.flowText(OFFlowMod(cookie: e.cookie, tableID: e.tableID, idleTimeout: e.idleTimeout,
                                                        hardTimeout: e.hardTimeout, priority: e.priority, flags: e.flags,
                                                        match: e.match, instructions: e.instructions)))
        }
        return .json(APIFlowList(switch: controller.switchName(dpid), datapathId: formatDatapathID(dpid), flows: flows))
    }

    func addFlows(_ reference: String, _ body: [UInt8]) async throws -> APIResponse {
        let dpid = try resolve(reference)
        let request = try decode(APIFlowsRequest.self, body)
        guard !request.flows.isEmpty else { throw APIError(error: "no flows given") }
        let (added, resync) = try await controller.addFlows(request.flows, datapathID: dpid)
        return .json(APIFlowsChange(switch: controller.switchName(dpid), datapathId: formatDatapathID(dpid),
                                    flows: added.map(\.text), installed: resync != nil, flowModsSent: resync?.flowModsSent ?? 0),
                     status: 201)
    }

    func deleteFlows(_ reference: String, _ match: String?) async throws -> APIResponse {
        let dpid = try resolve(reference)
        let (deleted, resync) = try await controller.deleteFlows(matching: match, datapathID: dpid)
        return .json(APIFlowsChange(switch: controller.switchName(dpid), datapathId: formatDatapathID(dpid),
                                    flows: deleted.map(\.text), installed: resync != nil, flowModsSent: resync?.flowModsSent ?? 0))
    }

    // MARK: Topology

    func topology() -> APIResponse {
        guard let compiled = controller.appliedTopology else { return .error(404, "no topology has been applied") }
        let switches = compiled.switches.map {
            APITopologySwitch(name: $0.name, datapathId: formatDatapathID($0.datapathID), computed: $0.computed,
                              flows: $0.flows.count, connected: controller.session(datapathID: $0.datapathID) != nil)
        }
        return .json(APITopology(name: compiled.topology.name, path: compiled.topology.path, yaml: compiled.yaml,
                                 switches: switches, hosts: compiled.topology.hosts.count, links: compiled.topology.links.count))
    }

    func compile(_ body: [UInt8]) throws -> CompiledTopology {
        let request = try decode(APITopologyRequest.self, body)
        return try TopologyCompiler.compile(yaml: request.yaml, file: request.path)
    }

    func apply(_ body: [UInt8]) async throws -> APIResponse {
        let report = try await controller.applyTopology(try compile(body))
        let switches = report.switches.map { s in
            APIApplySwitch(name: s.name, datapathId: formatDatapathID(s.datapathID), connected: s.resync != nil, flows: s.flows,
                           added: s.resync?.added.count ?? 0, deleted: s.resync?.deleted.count ?? 0,
                           unchanged: s.resync?.unchanged ?? 0,
                           refused: (s.resync?.failures ?? []).map { "\(Controller.flowText($0.flowMod)): \($0.error)" })
        }
        return .json(APIApplyResult(name: report.name, flowModsSent: report.flowModsSent, switches: switches))
    }

    func diff(_ body: [UInt8]) async throws -> APIResponse {
        let compiled = try compile(body)
        let diffs = try await controller.diffTopology(compiled)
        let switches = diffs.map {
            APIDiffSwitch(name: $0.name, datapathId: formatDatapathID($0.datapathID), connected: $0.connected, add: $0.adds, delete: $0.deletes)
        }
        return .json(APIDiff(name: compiled.topology.name, flowMods: diffs.reduce(0) { $0 + $1.adds.count + $1.deletes.count },
                             switches: switches))
    }

    // MARK: Links and hosts

    func links() -> APIResponse {
        let now = ContinuousClock.now
        let lldp = controller.apps.compactMap { $0 as? LLDPDiscoveryApp }.first
        let links = (lldp?.links ?? []).map { link in
            let age = lldp?.lastSeen(link).map { now - $0 } ?? .zero
            return APILink(source: end(link.source), destination: end(link.destination),
                           ageSeconds: Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18)
        }
        return .json(APILinkList(links: links))
    }

    func end(_ e: LLDPDiscoveryApp.LinkEnd) -> APILinkEnd {
        APILinkEnd(switch: controller.switchName(e.datapathID), datapathId: formatDatapathID(e.datapathID), port: e.port)
    }

    func hosts() -> APIResponse {
        let hosts = (controller.appliedTopology?.topology.hosts ?? []).map {
            APIHost(name: $0.name, switch: $0.switchName, port: $0.port, namespace: $0.namespace, interface: $0.interface,
                    mac: $0.mac?.description, ipv4: $0.ipv4?.description, ipv6: $0.ipv6?.description)
        }
        return .json(APIHostList(hosts: hosts))
    }

    func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw APIError(error: "the request body is not a valid \(T.self) JSON object: \(error)")
        }
    }
}
