import Controller
import Foundation
import Testing
import TestSupport

@Suite struct StateStoreTests {
    func store() throws -> (StateStore, String) {
        let dir = try Fixtures.temporaryDirectory(prefix: "swiftsdn-store")
        let path = dir.appendingPathComponent("state.db").path
        return (try StateStore(path: path), path)
    }

    let v1 = StoredTopology(name: "t", path: "t.yaml", yaml: "name: t\n", appliedAt: 1)
    let v2 = StoredTopology(name: "t2", path: "t2.yaml", yaml: "name: t2\n", appliedAt: 2)

    @Test func anAppliedTopologySurvivesReopening() throws {
        let (store, path) = try store()
        try store.applyTopology(v1, flows: [1: ["priority=1 actions=drop", "priority=2 actions=drop"], 2: ["actions=normal"]])
        try store.setAPIFlows(["priority=9,in_port=1 actions=output:2"], datapathID: 1)
        let reopened = try StateStore(path: path).load()
        #expect(reopened.topology == v1)
        #expect(reopened.topologyFlows == [1: ["priority=1 actions=drop", "priority=2 actions=drop"], 2: ["actions=normal"]])
        #expect(reopened.apiFlows == [1: ["priority=9,in_port=1 actions=output:2"]])
    }

    @Test func applyingReplacesEveryTopologyFlowButKeepsAPIFlows() throws {
        let (store, _) = try store()
        try store.applyTopology(v1, flows: [1: ["a"], 2: ["b"]])
        try store.setAPIFlows(["c"], datapathID: 2)
        try store.applyTopology(v2, flows: [3: ["d"]])
        let state = try store.load()
        #expect(state.topology == v2)
        #expect(state.topologyFlows == [3: ["d"]])
        #expect(state.apiFlows == [2: ["c"]])
    }

    @Test func aFailureBeforeCommitLeavesTheOldStateWhole() throws {
        let (store, path) = try store()
        try store.applyTopology(v1, flows: [1: ["a", "b"]])
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try store.applyTopology(v2, flows: [1: ["x"], 2: ["y", "z"]]) { throw Interrupted() }
        }
        let state = try StateStore(path: path).load()
        #expect(state.topology == v1)
        #expect(state.topologyFlows == [1: ["a", "b"]])
    }

    @Test func datapathIDsAboveInt64MaxRoundTrip() throws {
        let (store, _) = try store()
        try store.applyTopology(v1, flows: [0xFFFF_0000_0000_0001: ["a"]])
        #expect(try store.load().topologyFlows == [0xFFFF_0000_0000_0001: ["a"]])
    }
}
