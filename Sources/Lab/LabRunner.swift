import Foundation
import Glibc
import HostNet
import Topology

/// Applies a topology to the controller once the switches run (`sdnctl` supplies it; the Lab
/// module never imports the controller, they meet over its REST API). Returns a one-line summary.
public protocol LabController: Sendable {
    func apply(topologyPath: String, api: String) throws -> String
}

/// Brings labs up and down: the steps of `sdnctl lab up` and `sdnctl lab down`.
public final class LabRunner {
    public static let defaultAPI = "127.0.0.1:6680"

    public let store: LabStateStore
    /// The controller's REST address: given to a controller the lab starts, and to the apply hook.
    public let api: String
    let json: Bool
    /// Extra checks on a loaded topology (sdnctl passes the flow parser, which Lab cannot
    /// import); they throw `TopologyError` so flow mistakes are located like the others.
    let check: (TopologyFile) throws -> Void

    static let controllerDeadline = 10.0
    static let switchesDeadline = 15.0
    static let stopGrace = 5.0

    public init(stateDirectory: String = LabStateStore.defaultDirectory, api: String = LabRunner.defaultAPI,
                json: Bool = false, check: @escaping (TopologyFile) throws -> Void = { _ in }) {
        store = LabStateStore(directory: stateDirectory)
        self.api = api; self.json = json; self.check = check
    }

    /// Loads and validates; nothing is created before this succeeds.
    func loadPlan(_ path: String) throws -> LabPlan {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let topology = try TopologyLoader.load(path: path)
        try check(topology)
        return try LabPlan(topology: topology, path: (absolute as NSString).standardizingPath)
    }

    static func requireRoot(_ command: String) throws(LabError) {
        if geteuid() != 0 {
            throw LabError("lab \(command) needs root: it manages network namespaces, devices and daemons")
        }
    }

    static func hostRecords(_ plan: LabPlan) -> [LabState.HostRecord] {
        plan.topology.hosts.map { host in
            LabState.HostRecord(
                name: host.name, namespace: host.namespace, interface: host.interface, switchName: host.switchName,
                addresses: host.addresses,
                mac: host.mac?.description)
        }
    }

    static func reportHosts(_ hosts: [LabState.HostRecord]) -> [LabReport.Host] {
        hosts.map { LabReport.Host(name: $0.name, namespace: $0.namespace, interface: $0.interface,
                                   addresses: $0.addresses, mac: $0.mac) }
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass.
    static func poll(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if try condition() { return true }
            if Date() >= deadline { return false }
            usleep(100_000)
        }
    }
}
