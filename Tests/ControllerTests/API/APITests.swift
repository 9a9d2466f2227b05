@testable import Controller
import Foundation
import OpenFlow
import Testing
import TestSupport
import Yams

/// Runs a blocking client call on a thread of its own: on the cooperative pool (2 threads on
/// this machine) it would hold a thread the server's request tasks need.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A controller with its API on free loopback ports, optionally with a fake switch connected
/// and the 20-flow `big` topology applied.
struct APIFixture {
    let controller: Controller
    let server: APIServer
    let client: APIClient
    let fake: FakeSwitch?

    static func start(token: String? = nil, withSwitch: Bool = true) async throws -> APIFixture {
        let controller = try await startController(apps: [LearningSwitchApp(), LLDPDiscoveryApp()])
        let server = try APIServer(controller: controller, configuration: .init(host: "127.0.0.1", port: 0, token: token))
        try await server.start()
        let client = try APIClient(address: "http://127.0.0.1:\(try #require(server.localPort))", token: token)
        var fake: FakeSwitch?
        if withSwitch {
            let f = FakeSwitch(datapathID: 0x51, ports: [1, 2, 3])
            try await connect(f, to: controller, waitForResync: true)
            _ = try await controller.applyTopology(try TopologyCompiler.compile(yaml: bigTopology(count: 20), file: "big.yaml"))
            fake = f
        }
        return APIFixture(controller: controller, server: server, client: client, fake: fake)
    }

    func stop() async {
        fake?.close()
        await server.shutdown()
        await controller.shutdown()
    }

    /// One raw exchange: status and parsed JSON body.
    func call(_ method: String, _ path: String, body: Encodable? = nil, token: String? = nil) async throws -> (Int, Any) {
        var c = client
        if let token { c.token = token }
        let bytes = try body.map { Array(try JSONEncoder().encode($0)) }
        let (status, data) = try await blocking { [c] in try c.send(method, path, body: bytes) }
        return (status, try JSONSerialization.jsonObject(with: Data(data)))
    }
}

@Suite struct APITests {
    @Test func topologyRoundTripThroughTheClient() async throws {
        let api = try await APIFixture.start()
        defer { Task { await api.stop() } }
        let topology = try await blocking { [client = api.client] in try client.get("/v1/topology", as: APITopology.self) }
        #expect(topology.name == "big" && topology.switches.map(\.name) == ["s1"] && topology.switches[0].flows == 20)
        let diff = try await blocking { [client = api.client] in try client.post("/v1/topology/diff", APITopologyRequest(path: "big.yaml", yaml: bigTopology(count: 20, removed: [3])),
                                       as: APIDiff.self) }
        #expect(diff.flowMods == 1 && diff.switches[0].delete.count == 1 && diff.switches[0].delete[0].contains("nw_dst=10.0.3.0/24"))
        let flows = try await blocking { [client = api.client] in try client.get("/v1/switches/s1/flows", as: APIFlowList.self) }
        #expect(flows.flows.filter { $0.text.contains("nw_dst=10.0.") }.count == 20)
        let added = try await blocking { [client = api.client] in try client.post("/v1/switches/s1/flows", APIFlowsRequest(flows: ["priority=7,in_port=p2,actions=output:p1"]),
                                        as: APIFlowsChange.self) }
        #expect(added.flows == ["priority=7,in_port=2 actions=output:1"] && added.installed && added.flowModsSent == 1)
        let deleted = try await blocking { [client = api.client] in try client.delete("/v1/switches/0x51/flows?match=\(APIClient.escape("in_port=2"))", as: APIFlowsChange.self) }
        #expect(deleted.flows.count == 1 && deleted.flowModsSent == 1)
    }

    @Test func aRefusedTopologyNamesEveryErrorAndChangesNothing() async throws {
        let api = try await APIFixture.start()
        defer { Task { await api.stop() } }
        let bad = bigTopology(count: 3).replacingOccurrences(of: "output:2", with: "output:nowhere")
            .replacingOccurrences(of: "fail-mode: secure", with: "fail-mode: sometimes")
        await #expect {
            _ = try await blocking { [client = api.client] in try client.post("/v1/topology", APITopologyRequest(path: "edited.yaml", yaml: bad), as: APIApplyResult.self) }
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.error.contains("refused") && (error.details ?? []).contains { $0.hasPrefix("edited.yaml:5:") && $0.contains("sometimes") }
        }
        #expect(api.controller.appliedTopology?.topology.path == "big.yaml")
    }

    @Test func unknownSwitchesAndRoutesAre404() async throws {
        let api = try await APIFixture.start(withSwitch: false)
        defer { Task { await api.stop() } }
        #expect(try await api.call("GET", "/v1/switches/nosuch/ports").0 == 404)
        #expect(try await api.call("GET", "/v1/nothing").0 == 404)
        #expect(try await api.call("GET", "/v1/switches/0x99/ports").0 == 409, "a datapath id that is not connected")
    }

    @Test func aTokenIsRequiredWhenConfigured() async throws {
        let api = try await APIFixture.start(token: "s3cret", withSwitch: false)
        defer { Task { await api.stop() } }
        #expect(try await api.call("GET", "/v1/health").0 == 200)
        #expect(try await api.call("GET", "/v1/health", token: "wrong").0 == 401)
        #expect(throws: APIError.self) { _ = try APIServer(controller: api.controller, configuration: .init(host: "0.0.0.0", port: 0)) }
    }
}

/// Checks the live API against `docs/openapi.yaml`: every documented operation is called, its
/// status must be documented, and the body must have the documented schema's required
/// properties with the documented JSON types (recursively through `$ref` and `items`).
@Suite struct OpenAPIContractTests {
    let document: [String: Any]

    init() throws {
        let path = Fixtures.repositoryRoot.appendingPathComponent("docs/openapi.yaml").path
        document = try #require(try Yams.load(yaml: String(contentsOfFile: path, encoding: .utf8)) as? [String: Any])
    }

    func schema(named ref: String) throws -> [String: Any] {
        let name = try #require(ref.split(separator: "/").last.map(String.init))
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        return try #require(schemas[name] as? [String: Any], "schema \(name) is documented")
    }

    /// Problems of `value` against `schema`, with `at` naming where.
    func check(_ value: Any, _ schema: [String: Any], at: String) throws -> [String] {
        if let ref = schema["$ref"] as? String { return try check(value, try self.schema(named: ref), at: at) }
        var problems: [String] = []
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(at): not an object"] }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(at).\(key): required but missing") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, v) in object {
                guard let property = properties[key] as? [String: Any] else { problems.append("\(at).\(key): not documented"); continue }
                problems += try check(v, property, at: "\(at).\(key)")
            }
        case "array":
            guard let array = value as? [Any] else { return ["\(at): not an array"] }
            let items = try #require(schema["items"] as? [String: Any], "\(at) documents its items")
            for (i, element) in array.enumerated() { problems += try check(element, items, at: "\(at)[\(i)]") }
        case "string": if !(value is String) { problems.append("\(at): not a string") }
        case "boolean": if !(value is Bool) { problems.append("\(at): not a boolean") }
        case "integer": if !((value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } ?? false) { problems.append("\(at): not an integer") }
        case "number": if !(value is NSNumber) { problems.append("\(at): not a number") }
        default: problems.append("\(at): schema without a type")
        }
        return problems
    }

    @Test func theLiveAPIMatchesTheDocument() async throws {
        let api = try await APIFixture.start()
        defer { Task { await api.stop() } }
        let big = APITopologyRequest(path: "big.yaml", yaml: bigTopology(count: 20))
        // (method, documented path, concrete path, body)
        let calls: [(String, String, String, Encodable?)] = [
            ("get", "/health", "/v1/health", nil),
            ("get", "/switches", "/v1/switches", nil),
            ("get", "/switches/{switch}/ports", "/v1/switches/s1/ports", nil),
            ("get", "/switches/{switch}/ports", "/v1/switches/nosuch/ports", nil),
            ("get", "/switches/{switch}/flows", "/v1/switches/0x51/flows", nil),
            ("post", "/switches/{switch}/flows", "/v1/switches/s1/flows", APIFlowsRequest(flows: ["priority=7,in_port=p2,actions=output:p1"])),
            ("post", "/switches/{switch}/flows", "/v1/switches/s1/flows", APIFlowsRequest(flows: ["priority=7,in_port=p2,actions=fly"])),
            ("delete", "/switches/{switch}/flows", "/v1/switches/s1/flows?match=in_port%3D2", nil),
            ("get", "/topology", "/v1/topology", nil),
            ("post", "/topology/diff", "/v1/topology/diff", APITopologyRequest(path: "big.yaml", yaml: bigTopology(count: 20, added: 1))),
            ("post", "/topology", "/v1/topology", big),
            ("post", "/topology", "/v1/topology", APITopologyRequest(path: "bad.yaml", yaml: "name: [")),
            ("get", "/links", "/v1/links", nil),
            ("get", "/hosts", "/v1/hosts", nil),
        ]
        let paths = try #require(document["paths"] as? [String: Any])
        var documented = Set<String>()
        for (path, item) in paths {
            for method in ["get", "post", "delete", "put", "patch"] where (item as? [String: Any])?[method] != nil {
                documented.insert("\(method) \(path)")
            }
        }
        #expect(Set(calls.map { "\($0.0) \($0.1)" }) == documented, "every documented operation is exercised, and only those")
        for (method, template, concrete, body) in calls {
            let (status, json) = try await api.call(method.uppercased(), concrete, body: body)
            let operation = try #require((paths[template] as? [String: Any])?[method] as? [String: Any])
            let responses = try #require(operation["responses"] as? [String: Any])
            let response = try #require(responses[String(status)] as? [String: Any], "\(method) \(concrete) answered \(status), which is not documented")
            let schemaRef = try #require(((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any])
            let problems = try check(json, schemaRef, at: "\(method.uppercased()) \(concrete) \(status)")
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}
