import Foundation

/// What a running lab made, kept in `STATE_DIR/<topology>.json` so `down` can remove it even
/// after `up` or a switch crashed. Each entry is written before the thing it names is created,
/// so the file never misses something that exists (it may name things that never came to be,
/// which `down` treats as already gone).
public struct LabState: Codable, Sendable {
    /// A process the lab spawned. PIDs get reused, so a PID alone never identifies it: the start
    /// time (clock ticks after boot, /proc/PID/stat field 22) must match too.
    public struct ProcessRecord: Codable, Hashable, Sendable {
        /// `vswitchd` or `sdn-controller`.
        public var role: String
        /// The switch name, or the controller's listen address.
        public var name: String
        public var pid: Int32
        public var startTime: UInt64
        public var executable: String
        public var arguments: [String]
        public var log: String
    }

    public struct HostRecord: Codable, Hashable, Sendable {
        public var name: String
        public var namespace: String
        public var interface: String
        public var switchName: String
        public var addresses: [String]
        public var mac: String?
    }

    public struct ControllerRecord: Codable, Hashable, Sendable {
        /// `tcp:IP:PORT` as the topology names it.
        public var target: String
        public var api: String
        /// False when something already listened there: `down` must leave it alone.
        public var startedByLab: Bool
    }

    public var version = 1
    public var topology: String
    public var topologyPath: String
    public var created: Date
    public var veths: [LabPlan.VethPair] = []
    /// Root ends of the hosts' veth pairs (deleting one removes its peer inside the host).
    public var hostVeths: [String] = []
    public var namespaces: [String] = []
    public var taps: [String] = []
    public var processes: [ProcessRecord] = []
    public var controller: ControllerRecord?
    public var hosts: [HostRecord] = []

    public init(topology: String, topologyPath: String, created: Date = Date()) {
        self.topology = topology; self.topologyPath = topologyPath; self.created = created
    }
}

/// The state files of one state directory.
public struct LabStateStore: Sendable {
    public static let defaultDirectory = "/run/swiftsdn/lab"
    public var directory: String

    public init(directory: String = LabStateStore.defaultDirectory) { self.directory = directory }

    public func path(for topology: String) -> String { "\(directory)/\(topology).json" }

    public func exists(_ topology: String) -> Bool { FileManager.default.fileExists(atPath: path(for: topology)) }

    public func load(_ topology: String) throws(LabError) -> LabState? {
        let file = path(for: topology)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return try decode(file)
    }

    /// Every state file in the directory, for `exec` without `--name`. Unreadable files are
    /// skipped: one broken lab must not hide the hosts of the others.
    public func all() -> [LabState] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
            .compactMap { try? decode("\(directory)/\($0)") }
    }

    /// Writes to a temporary file and renames it over the old one, so a crash at any moment
    /// leaves either the old or the new state, never half of one.
    public func save(_ state: LabState) throws(LabError) {
        let file = path(for: state.topology)
        let temporary = "\(file).tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(state).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw LabError("write state file \(temporary): \(error.localizedDescription)")
        }
        if rename(temporary, file) != 0 {
            throw LabError("rename(\(temporary), \(file)): \(String(cString: strerror(errno)))")
        }
    }

    public func remove(_ topology: String) throws(LabError) {
        let file = path(for: topology)
        if unlink(file) != 0 && errno != ENOENT {
            throw LabError("unlink(\(file)): \(String(cString: strerror(errno)))")
        }
    }

    private func decode(_ file: String) throws(LabError) -> LabState {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(LabState.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw LabError("state file \(file) is unreadable (\(error.localizedDescription)); remove it by hand after checking what it names")
        }
    }
}
