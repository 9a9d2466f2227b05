import Foundation
import Testing
import TestSupport

extension Integration {
    /// The controller's state store under SIGKILL: an apply is one transaction, so a controller
    /// killed in the middle of one restarts with the old topology or the new one, never a mix.
    @Suite("Controller state durability")
    struct StateDurabilityTests {
        /// One switch with `count` static flows, named `name`.
        static func topology(name: String, flows count: Int) -> String {
            var lines = ["name: \(name)", "switches:", "  s1:", "    datapath-id: 0x77", "    fail-mode: secure", "    ports:",
                         "      1: {name: p1, type: tap}", "      2: {name: p2, type: tap}", "    flows:"]
            for i in 0..<count { lines.append("      - \"priority=100,ip,nw_dst=10.\(i / 256).\(i % 256).0/24,actions=output:2\"") }
            return lines.joined(separator: "\n") + "\n"
        }

        struct Running {
            let background: Lab.Background
            let api: String
        }

        /// `sdn-controller --state DB` on free loopback ports; `environment` entries go first.
        static func start(_ lab: Lab, db: String, environment: [String] = []) throws -> Running {
            let b = try lab.spawn("sdn-controller", "env", ["--default-signal"] + environment + [
                try Lab.executable("sdn-controller"), "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0", "--state", db, "--apps", "lldp"])
            let marker = "api: listening on http://127.0.0.1:"
            guard Lab.poll(seconds: 15, { b.stdout.contains(marker) || !b.isRunning }), b.isRunning,
                  let line = b.stdout.split(separator: "\n").first(where: { $0.hasPrefix(marker) }) else {
                throw LabError("sdn-controller did not start: \(b.stdout) \(b.stderr)")
            }
            let port = line.dropFirst(marker.count).prefix { $0.isNumber }
            return Running(background: b, api: "http://127.0.0.1:\(port)")
        }

        /// (topology name, its flow count) as the controller reports them after a restart.
        static func shown(_ lab: Lab, _ controller: Running) throws -> (String, Int) {
            let r = try lab.run(try Lab.executable("sdnctl"), ["topology", "show", "--json", "--controller", controller.api])
            guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                  let name = json["name"] as? String, let switches = json["switches"] as? [[String: Any]],
                  let flows = switches.first?["flows"] as? Int else {
                throw LabError("sdnctl topology show: \(r)")
            }
            return (name, flows)
        }

        static func apply(_ lab: Lab, _ file: String, _ controller: Running) throws -> ShellResult {
            try lab.run(try Lab.executable("sdnctl"), ["topology", "apply", file, "--controller", controller.api], timeout: 60)
        }

        @Test func aControllerKilledDuringAnApplyRestartsWithTheOldOrTheNewState() throws {
            guard integrationGate(needsRoot: false, tools: ["timeout", "env"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let db = lab.path("state.db")
            let old = try lab.write("old.yaml", Self.topology(name: "old", flows: 10))
            let new = try lab.write("new.yaml", Self.topology(name: "new", flows: 3000))

            var controller = try Self.start(lab, db: db)
            #expect(try Self.apply(lab, old, controller).status == 0)
            controller.background.stop()

            // Killed inside the transaction, every row of the new state written, no commit.
            controller = try Self.start(lab, db: db, environment: ["SDN_FAULT_KILL_DURING_APPLY=1"])
            let refused = try Self.apply(lab, new, controller)
            #expect(refused.status != 0, "the apply cannot succeed: the controller dies in it")
            #expect(controller.background.waitForExit(seconds: 10) == SIGKILL, "the controller died by SIGKILL")
            controller = try Self.start(lab, db: db)
            let (name, flows) = try Self.shown(lab, controller)
            #expect(name == "old" && flows == 10, "after a kill before commit: \(name) with \(flows) flows")

            // Killed at moments spread over an apply: old or new, each with its own flows.
            var outcomes: [String] = []
            for delay in [0.05, 0.15, 0.3, 0.6, 1.2] {
                let applying = try lab.spawn("apply", try Lab.executable("sdnctl"), ["topology", "apply", new, "--controller", controller.api])
                Thread.sleep(forTimeInterval: delay)
                kill(controller.background.pid, SIGKILL)
                _ = controller.background.waitForExit(seconds: 10)
                _ = applying.waitForExit(seconds: 10)
                controller = try Self.start(lab, db: db)
                let (name, flows) = try Self.shown(lab, controller)
                #expect((name == "old" && flows == 10) || (name == "new" && flows == 3000), "killed after \(delay) s: \(name) with \(flows) flows")
                outcomes.append(name)
                if name == "new" { #expect(try Self.apply(lab, old, controller).status == 0) }
            }
            print("state durability: outcomes after SIGKILL at 0.05/0.15/0.3/0.6/1.2 s into an apply: \(outcomes)")
            controller.background.stop()
        }
    }
}
