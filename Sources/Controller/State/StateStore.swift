import Foundation
import GRDB

/// The applied topology as the store keeps it.
public struct StoredTopology: Hashable, Sendable {
    public var name: String
    /// The file name it was applied from (for diagnostics).
    public var path: String
    public var yaml: String
    /// Seconds since 1970.
    public var appliedAt: Double

    public init(name: String, path: String, yaml: String, appliedAt: Double) {
        self.name = name; self.path = path; self.yaml = yaml; self.appliedAt = appliedAt
    }
}

/// The controller's intended state, as restored after a restart.
public struct StoredState: Sendable {
    public var topology: StoredTopology?
    /// Per datapath id, the compiled topology flows (ovs-ofctl text, ports by number), in order.
    public var topologyFlows: [UInt64: [String]]
    /// Per datapath id, flows added through the API, in order.
    public var apiFlows: [UInt64: [String]]
}

/// The controller's durable intended state in SQLite (GRDB): the applied topology, its
/// compiled flows, and flows added through the API.
///
/// Every change is one transaction, so a controller killed in the middle of an apply restarts
/// with the old state or the new one, never a mix (SQLite's rollback journal undoes an
/// unfinished transaction on the next open).
public final class StateStore: Sendable {
    public let path: String
    let database: DatabaseQueue

    enum Origin: String { case topology, api }

    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "topology") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("name", .text).notNull()
                t.column("path", .text).notNull()
                t.column("yaml", .text).notNull()
                t.column("appliedAt", .double).notNull()
            }
            try db.create(table: "flow") { t in
                t.column("datapathID", .integer).notNull()
                t.column("origin", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("text", .text).notNull()
                t.primaryKey(["datapathID", "origin", "position"])
            }
        }
        return migrator
    }

    /// Everything stored.
    public func load() throws -> StoredState {
        try database.read { db in
            var topology: StoredTopology?
            if let row = try Row.fetchOne(db, sql: "SELECT name, path, yaml, appliedAt FROM topology WHERE id = 1") {
                topology = StoredTopology(name: row["name"], path: row["path"], yaml: row["yaml"], appliedAt: row["appliedAt"])
            }
            var flows: [Origin: [UInt64: [String]]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT datapathID, origin, text FROM flow ORDER BY datapathID, origin, position")
            while let row = try rows.next() {
                guard let origin = Origin(rawValue: row["origin"]) else { continue }
                let dpid = UInt64(bitPattern: row["datapathID"])
                flows[origin, default: [:]][dpid, default: []].append(row["text"])
            }
            return StoredState(topology: topology, topologyFlows: flows[.topology] ?? [:], apiFlows: flows[.api] ?? [:])
        }
    }

    /// Replaces the applied topology and all of its compiled flows in one transaction.
    /// `beforeCommit` runs inside the transaction after every row is written (tests use it to
    /// die mid-apply); throwing from it rolls everything back.
    public func applyTopology(_ topology: StoredTopology, flows: [UInt64: [String]],
                              beforeCommit: (() throws -> Void)? = nil) throws {
        try database.inTransaction(.immediate) { db in
            try db.execute(sql: "DELETE FROM flow WHERE origin = ?", arguments: [Origin.topology.rawValue])
            let insert = try db.makeStatement(sql: "INSERT INTO flow (datapathID, origin, position, text) VALUES (?, ?, ?, ?)")
            for (dpid, texts) in flows {
                for (position, text) in texts.enumerated() {
                    try insert.execute(arguments: [Int64(bitPattern: dpid), Origin.topology.rawValue, position, text])
                }
            }
            try db.execute(sql: "INSERT OR REPLACE INTO topology (id, name, path, yaml, appliedAt) VALUES (1, ?, ?, ?, ?)",
                           arguments: [topology.name, topology.path, topology.yaml, topology.appliedAt])
            try beforeCommit?()
            return .commit
        }
    }

    /// Replaces the API-added flows of one switch.
    public func setAPIFlows(_ texts: [String], datapathID: UInt64) throws {
        try database.inTransaction(.immediate) { db in
            try db.execute(sql: "DELETE FROM flow WHERE origin = ? AND datapathID = ?",
                           arguments: [Origin.api.rawValue, Int64(bitPattern: datapathID)])
            for (position, text) in texts.enumerated() {
                try db.execute(sql: "INSERT INTO flow (datapathID, origin, position, text) VALUES (?, ?, ?, ?)",
                               arguments: [Int64(bitPattern: datapathID), Origin.api.rawValue, position, text])
            }
            return .commit
        }
    }
}
