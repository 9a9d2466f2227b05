import Foundation
import Glibc
import HostNet

extension LabRunner {
    /// `sdnctl lab down FILE` (or `--name NAME` when `path` is nil): stops the lab's processes,
    /// removes its devices and namespaces, then its state file. Missing things are fine.
    public func down(path: String?, name: String?) throws(LabFailure) -> LabReport {
        let progress = LabProgress(json: json, steps: 4)
        let started = DispatchTime.now()
        var topology = name ?? "?"
        var hosts: [LabState.HostRecord] = []
        func report(_ error: (any Error)?) -> LabReport {
            LabReport(command: "down", topology: topology, ok: error == nil, error: error.map { "\($0)" },
                      steps: progress.steps, actions: progress.actions, hosts: Self.reportHosts(hosts),
                      stateFile: store.path(for: topology), seconds: LabProgress.seconds(since: started))
        }
        do {
            var plan: LabPlan?
            if let path {
                plan = try loadPlan(path)
                topology = plan!.name
            }
            try Self.requireRoot("down")
            let recorded = try store.load(topology)
            let state: LabState
            if let recorded {
                state = recorded
            } else if let plan {
                progress.say("no state file for lab '\(topology)' (\(store.path(for: topology))); removing what the topology names that still exists")
                state = Self.derivedState(plan)
            } else {
                progress.say("no state file for lab '\(topology)' (\(store.path(for: topology))); nothing to do")
                return report(nil)
            }
            hosts = state.hosts
            try teardown(state, progress: progress, numbered: true)
            try progress.step("remove state file") {
                guard recorded != nil else { return .skipped("there was none") }
                try store.remove(topology)
                return .ok(store.path(for: topology))
            }
            progress.say("lab '\(topology)' is down (\(LabProgress.format(LabProgress.seconds(since: started))))")
            return report(nil)
        } catch {
            throw LabFailure(report: report(error), underlying: error)
        }
    }

    /// What a lab of this topology would have made, for `down` without a state file.
    static func derivedState(_ plan: LabPlan) -> LabState {
        var state = LabState(topology: plan.name, topologyPath: plan.topologyPath)
        state.veths = plan.veths
        state.hostVeths = plan.hostVeths.map(\.switchEnd)
        state.namespaces = plan.namespaces
        state.taps = plan.switches.flatMap(\.taps)
        state.hosts = hostRecords(plan)
        return state
    }

    /// Removes what `state` names, in the order that lets each owner clean up first: the
    /// switches (which remove their TAPs and the namespaces they made on SIGTERM), then whatever
    /// a crash left. Every removal is attempted; the failures are reported together.
    /// `numbered`: as steps of `down`; otherwise as notes (rollback, stale state).
    func teardown(_ state: LabState, progress: LabProgress, numbered: Bool) throws {
        var failures: [String] = []
        func phase(_ title: String, _ body: () -> Int) throws {
            if numbered {
                try progress.step(title) {
                    let count = body()
                    return count == 0 ? .skipped("nothing left") : .ok()
                }
            } else {
                _ = body()
            }
        }
        try phase("stop processes") { stopProcesses(state.processes, progress: progress, failures: &failures) }
        try phase("remove links and TAPs") { removeLinks(state, progress: progress, failures: &failures) }
        try phase("remove namespaces") { removeNamespaces(state.namespaces, progress: progress, failures: &failures) }
        if !failures.isEmpty {
            throw LabError("could not remove everything (state file kept): " + failures.joined(separator: "; "))
        }
    }

    /// SIGTERM to each recorded process still alive (same PID and start time: a reused PID is
    /// someone else's), up to 5 s for them to go, then SIGKILL. Returns how many were stopped.
    func stopProcesses(_ records: [LabState.ProcessRecord], progress: LabProgress, failures: inout [String]) -> Int {
        // Our own children (rollback) linger as zombies until reaped; reap the dead ones now.
        for record in records { _ = ProcessSpawner.reapIfExited(record.pid) }
        let alive = records.filter(ProcessSpawner.isAlive)
        for record in alive {
            do { try ProcessSpawner.signal(record.pid, SIGTERM) } catch { failures.append("\(error)") }
        }
        _ = Self.poll(seconds: Self.stopGrace) {
            for record in alive { _ = ProcessSpawner.reapIfExited(record.pid) }
            return !alive.contains(where: ProcessSpawner.isAlive)
        }
        for record in alive {
            var how = "SIGTERM"
            if ProcessSpawner.isAlive(record) {
                how = "SIGKILL after \(Int(Self.stopGrace)) s"
                do { try ProcessSpawner.signal(record.pid, SIGKILL) } catch { failures.append("\(error)") }
                _ = Self.poll(seconds: 2) {
                    _ = ProcessSpawner.reapIfExited(record.pid)
                    return !ProcessSpawner.isAlive(record)
                }
            }
            if ProcessSpawner.isAlive(record) {
                failures.append("\(record.role) \(record.name) (pid \(record.pid)) is still running")
            } else {
                progress.note("stopped \(record.role) \(record.name) (pid \(record.pid), \(how))")
            }
        }
        return alive.count
    }

    /// Deletes the veth pairs (deleting one end removes both) and TAPs still in the root namespace.
    func removeLinks(_ state: LabState, progress: LabProgress, failures: inout [String]) -> Int {
        let netlink: RouteNetlink
        do { netlink = try RouteNetlink() } catch {
            failures.append("\(error)")
            return 0
        }
        var removed = 0
        func remove(_ name: String, _ what: String) {
            do {
                guard try netlink.link(named: name) != nil else { return }
                try netlink.deleteLink(name)
                progress.note("removed \(what)")
                removed += 1
            } catch {
                failures.append("\(error)")
            }
        }
        for pair in state.veths {
            remove(pair.name, "veth \(pair.name) (peer \(pair.peer))")
            remove(pair.peer, "veth \(pair.peer)")
        }
        for name in state.hostVeths { remove(name, "veth \(name) (to a host)") }
        for tap in state.taps { remove(tap, "TAP \(tap)") }
        return removed
    }

    func removeNamespaces(_ names: [String], progress: LabProgress, failures: inout [String]) -> Int {
        var removed = 0
        for name in names where NetworkNamespace.exists(named: name) {
            do {
                try NetworkNamespace.delete(named: name)
                progress.note("removed namespace \(name)")
                removed += 1
            } catch {
                failures.append("\(error)")
            }
        }
        return removed
    }
}
