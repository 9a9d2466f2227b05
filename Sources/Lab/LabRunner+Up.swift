import Foundation
import Glibc
import HostNet
import Topology

extension LabRunner {
    /// `sdnctl lab up FILE`: the steps in order; on a failure everything made so far is removed
    /// again (as `down` would) before the error is thrown.
    public func up(path: String, controller hook: any LabController) throws(LabFailure) -> LabReport {
        let progress = LabProgress(json: json, steps: 5)
        let started = DispatchTime.now()
        var topology = "?"
        var state: LabState?
        func report(_ error: (any Error)?) -> LabReport {
            LabReport(command: "up", topology: topology, ok: error == nil, error: error.map { "\($0)" },
                      steps: progress.steps, actions: progress.actions, hosts: Self.reportHosts(state?.hosts ?? []),
                      stateFile: store.path(for: topology), seconds: LabProgress.seconds(since: started))
        }

        var plan: LabPlan!
        do {
            try progress.step("load topology \(path)") {
                plan = try loadPlan(path)
                topology = plan.name
                try Self.requireRoot("up")
                try takeOverStaleState(plan, progress: progress)
                try refuseConflicts(plan)
                return .ok("\(plan.switches.count) switch(es), \(plan.topology.hosts.count) host(s), \(plan.veths.count) link(s)")
            }
        } catch {
            // Nothing was created, so there is nothing to roll back.
            throw LabFailure(report: report(error), underlying: error)
        }

        var current = LabState(topology: plan.name, topologyPath: plan.topologyPath)
        current.hosts = Self.hostRecords(plan)
        state = current
        do {
            try progress.step("create veth pairs for links and hosts on system ports") {
                guard !plan.veths.isEmpty || !plan.hostVeths.isEmpty else { return .skipped("no links, no hosts on system ports") }
                try createVeths(plan, &current)
                try createHostVeths(plan, &current)
                return .ok((plan.veths.map { "\($0.name)<->\($0.peer)" }
                            + plan.hostVeths.map { "\($0.switchEnd)<->\($0.namespace):\($0.interface)" }).joined(separator: ", "))
            }
            try progress.step("controller") {
                guard let target = plan.controller else { return .skipped("no controller") }
                return try startController(target, plan, &current)
            }
            try progress.step("start switches") {
                try startSwitches(plan, &current)
                return .ok(plan.switches.map(\.name).joined(separator: ", "))
            }
            try progress.step("apply topology") {
                guard plan.controller != nil else { return .skipped("no controller") }
                return .ok(try hook.apply(topologyPath: plan.topologyPath, api: current.controller?.api ?? api))
            }
            state = current
        } catch {
            state = current
            progress.say("rolling back: removing what this run made")
            do {
                try teardown(current, progress: progress, numbered: false)
                try store.remove(current.topology)
            } catch let rollback {
                progress.note("rollback incomplete (\(rollback)); run `sdnctl lab down \(path)`")
            }
            throw LabFailure(report: report(error), underlying: error)
        }
        printSummary(plan, current, progress: progress, started: started)
        return report(nil)
    }

    /// A state file for this topology: refuse while anything it names runs, otherwise it is left
    /// from a crash and its remains are removed first.
    func takeOverStaleState(_ plan: LabPlan, progress: LabProgress) throws {
        guard let stale = try store.load(plan.name) else { return }
        let alive = stale.processes.filter(ProcessSpawner.isAlive)
        if !alive.isEmpty {
            let pids = alive.map { "\($0.role) \($0.name) pid \($0.pid)" }.joined(separator: ", ")
            throw LabError("lab '\(plan.name)' is already up (\(pids); state file \(store.path(for: plan.name))); run `sdnctl lab down` first")
        }
        progress.note("stale state file \(store.path(for: plan.name)) (nothing alive): removing its remains")
        try teardown(stale, progress: progress, numbered: false)
        try store.remove(plan.name)
    }

    /// Anything already there under one of our names would be adopted by the state file and
    /// destroyed by `down`: refuse instead, before creating anything.
    func refuseConflicts(_ plan: LabPlan) throws {
        let netlink = try RouteNetlink()
        for name in plan.veths.flatMap({ [$0.name, $0.peer] }) + plan.hostVeths.map(\.switchEnd) + plan.switches.flatMap(\.taps)
        where try netlink.link(named: name) != nil {
            throw LabError("interface \(name) already exists; remove it or rename it in the topology")
        }
        for namespace in plan.namespaces where NetworkNamespace.exists(named: namespace) {
            throw LabError("namespace \(namespace) already exists; remove it (`sdnctl lab down FILE` if it is left from a lab) or rename it in the topology")
        }
        for sw in plan.switches where LabProbe.controlSocketServes(sw.controlSocket) {
            throw LabError("a switch already serves \(sw.controlSocket); stop it or set control-socket for switch \(sw.name)")
        }
    }

    func createVeths(_ plan: LabPlan, _ state: inout LabState) throws {
        let netlink = try RouteNetlink()
        for pair in plan.veths {
            state.veths.append(pair)
            try store.save(state)
            do {
                try netlink.createVeth(pair.name, peer: pair.peer)
            } catch {
                // Not made by us (refuseConflicts raced with someone): not ours to delete.
                state.veths.removeLast()
                try store.save(state)
                throw error
            }
            try netlink.setUp(pair.name)
            try netlink.setUp(pair.peer)
        }
    }

    /// A namespace per host on a system port, with a veth pair into it: the root end is the
    /// switch port's interface, the other end is configured as the host's interface.
    func createHostVeths(_ plan: LabPlan, _ state: inout LabState) throws {
        let netlink = try RouteNetlink()
        for hostVeth in plan.hostVeths {
            guard let host = plan.topology.host(named: hostVeth.host) else { continue }
            if !state.namespaces.contains(hostVeth.namespace) { state.namespaces.append(hostVeth.namespace) }
            state.hostVeths.append(hostVeth.switchEnd)
            try store.save(state)
            let namespace = NetworkNamespace.exists(named: hostVeth.namespace)
                ? try NetworkNamespace.open(named: hostVeth.namespace)
                : try NetworkNamespace.create(named: hostVeth.namespace)
            try netlink.createVeth(hostVeth.switchEnd, peer: hostVeth.interface, peerNamespace: namespace)
            try netlink.setUp(hostVeth.switchEnd)
            try RouteNetlink(namespace: namespace).configureHost(
                interface: hostVeth.interface, mac: host.mac?.description, mtu: host.mtu.map(UInt32.init),
                addresses: host.addresses, gateway: host.gateway?.description)
        }
    }

    func startController(_ target: ControllerTarget, _ plan: LabPlan, _ state: inout LabState) throws -> LabProgress.Outcome {
        if LabProbe.acceptsTCP(host: target.host, port: target.port) {
            state.controller = .init(target: target.description, api: api, startedByLab: false)
            try store.save(state)
            return .ok("using the controller already listening at \(target)")
        }
        let executable = try ProcessSpawner.locate("sdn-controller")
        let listen = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        let arguments = ["--listen", listen, "--api", api, "--state", "\(store.directory)/\(plan.name).db"]
        let log = "\(store.directory)/\(plan.name)-controller.log"
        state.controller = .init(target: target.description, api: api, startedByLab: true)
        try store.save(state)
        let pid = try ProcessSpawner.spawn(executable, arguments, log: log)
        let record = try recordSpawn("sdn-controller", listen, pid, executable, arguments, log, &state)
        var exit: String?
        let listening = Self.poll(seconds: Self.controllerDeadline) {
            exit = ProcessSpawner.reapIfExited(pid)
            return exit != nil || LabProbe.acceptsTCP(host: target.host, port: target.port)
        }
        if let exit {
            throw LabError("sdn-controller \(exit) before accepting on \(listen); last lines of \(log):\n\(ProcessSpawner.tail(log))")
        }
        guard listening else {
            throw LabError("sdn-controller (pid \(record.pid)) did not accept on \(listen) within \(Int(Self.controllerDeadline)) s; see \(log)")
        }
        return .ok("started sdn-controller (pid \(pid)) on \(listen), API \(api)")
    }

    /// Records a spawned process at once: a crash of sdnctl right after must not orphan it.
    @discardableResult
    func recordSpawn(_ role: String, _ name: String, _ pid: pid_t, _ executable: String, _ arguments: [String],
                     _ log: String, _ state: inout LabState) throws -> LabState.ProcessRecord {
        // The child exists from fork on, so its start time is readable even before it execs.
        let start = ProcessSpawner.startTime(of: pid) ?? 0
        let record = LabState.ProcessRecord(role: role, name: name, pid: pid, startTime: start,
                                            executable: executable, arguments: arguments, log: log)
        state.processes.append(record)
        try store.save(state)
        return record
    }

    /// Starts every switch at once, then waits until all serve their control sockets and every
    /// TAP-attached host's interface is up inside its namespace.
    func startSwitches(_ plan: LabPlan, _ state: inout LabState) throws {
        let executable = try ProcessSpawner.locate("vswitchd")
        // The switches create these; recorded first so a crash between here and their own
        // cleanup still lets `down` find them.
        state.namespaces = plan.namespaces
        state.taps = plan.switches.flatMap(\.taps)
        try store.save(state)
        var spawned: [(LabPlan.SwitchProcess, LabState.ProcessRecord)] = []
        for sw in plan.switches {
            let arguments = ["run", "--config", plan.topologyPath, "--switch", sw.name]
            let log = "\(store.directory)/\(plan.name)-\(sw.name).log"
            let pid = try ProcessSpawner.spawn(executable, arguments, log: log)
            spawned.append((sw, try recordSpawn("vswitchd", sw.name, pid, executable, arguments, log, &state)))
        }

        var exited: (LabState.ProcessRecord, String)?
        var waitingFor: [String] = []
        let ready = Self.poll(seconds: Self.switchesDeadline) {
            for (_, record) in spawned {
                if let how = ProcessSpawner.reapIfExited(record.pid) {
                    exited = (record, how)
                    return true
                }
            }
            waitingFor = spawned.filter { !LabProbe.controlSocketServes($0.0.controlSocket) }
                .map { "switch \($0.0.name) (control socket \($0.0.controlSocket))" }
            waitingFor += plan.attachedHosts.filter { !LabProbe.hostInterfaceUp(namespace: $0.namespace, interface: $0.interface) }
                .map { "host \($0.name) (\($0.interface) in namespace \($0.namespace))" }
            return waitingFor.isEmpty
        }
        if let (record, how) = exited {
            throw LabError("vswitchd \(record.name) (pid \(record.pid)) \(how) while starting; last lines of \(record.log):\n\(ProcessSpawner.tail(record.log))")
        }
        guard ready else {
            throw LabError("not ready within \(Int(Self.switchesDeadline)) s: \(waitingFor.joined(separator: ", ")); logs in \(store.directory)")
        }
    }

    func printSummary(_ plan: LabPlan, _ state: LabState, progress: LabProgress, started: DispatchTime) {
        progress.say("")
        progress.say("lab '\(plan.name)' is up:")
        for host in state.hosts {
            let addresses = host.addresses.isEmpty ? "no addresses" : host.addresses.joined(separator: ", ")
            progress.say("  \(host.name): namespace \(host.namespace), \(host.interface) \(addresses)\(host.mac.map { ", \($0)" } ?? "")")
        }
        for host in plan.unattachedHosts {
            progress.say("  note: host \(host.name) is not on a TAP port; the lab does not wire it up")
        }
        // The commands below find this lab's state file only when told where it is.
        let dirOption = store.directory == LabStateStore.defaultDirectory ? "" : " --state-dir \(store.directory)"
        if let first = state.hosts.first,
           let other = state.hosts.dropFirst().first(where: { !$0.addresses.isEmpty }),
           let address = other.addresses.first?.split(separator: "/").first {
            progress.say("try: sdnctl lab exec \(first.name)\(dirOption) -- ping -c 3 \(address)")
        } else if let first = state.hosts.first {
            progress.say("try: sdnctl lab exec \(first.name)\(dirOption) -- ip addr")
        }
        progress.say("state file: \(store.path(for: plan.name)) (logs beside it); take it down with: sdnctl lab down \(plan.topologyPath)\(dirOption)")
        progress.say("total \(LabProgress.format(LabProgress.seconds(since: started)))")
    }
}
