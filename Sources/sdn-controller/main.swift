import ArgumentParser
import Controller
import Foundation

struct SDNController: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdn-controller",
        abstract: "SwiftSDN controller: programs switches over OpenFlow 1.3.",
        version: "0.1.0"
    )

    @Option(help: "Address to accept switches on, HOST:PORT ([v6]:PORT for IPv6).")
    var listen = "127.0.0.1:6653"

    @Option(help: "Comma-separated apps to run: learning, lldp.")
    var apps = "learning,lldp"

    @Option(name: .customLong("lldp-interval"), help: "Seconds between LLDP probes.")
    var lldpInterval: Double = 5

    @Option(name: .customLong("echo-interval"), help: "Seconds of switch silence before an echo request.")
    var echoInterval: Double = 5

    @Option(help: "Address of the REST API, HOST:PORT, or 'none'. Anything but loopback needs --api-token.")
    var api = "127.0.0.1:\(APIServer.defaultPort)"

    @Option(name: .customLong("api-token"), help: "Bearer token the API requires (default: $SDN_API_TOKEN, if set).")
    var apiToken: String?

    @Option(help: "SQLite file keeping the intended state (applied topology, API flows) across restarts; without it, state lives in memory.")
    var state: String?

    func validate() throws {
        _ = try endpoint()
        if api != "none" { _ = try Self.split(api, option: "--api") }
        _ = try appNames()
        guard lldpInterval > 0, echoInterval > 0 else { throw ValidationError("intervals must be positive") }
    }

    func endpoint() throws -> (host: String, port: Int) { try Self.split(listen, option: "--listen") }

    static func split(_ text: String, option: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw ValidationError("\(option) wants HOST:PORT, got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("\(option) wants HOST:PORT, got '\(text)'") }
        return (host, port)
    }

    func appNames() throws -> [String] {
        let names = apps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        for name in names where !["learning", "lldp"].contains(name) {
            throw ValidationError("unknown app '\(name)' (known: learning, lldp)")
        }
        return names
    }

    func run() async throws {
        let signals = TerminationSignals()
        let (host, port) = try endpoint()
        var selected: [any ControllerApp] = []
        for name in try appNames() {
            switch name {
            case "learning": selected.append(LearningSwitchApp())
            default: selected.append(LLDPDiscoveryApp(interval: .milliseconds(Int(lldpInterval * 1000))))
            }
        }
        let store: StateStore?
        do {
            store = try state.map { try StateStore(path: $0) }
        } catch {
            throw ValidationError("--state \(state ?? ""): \(error)")
        }
        let controller = Controller(
            configuration: .init(host: host, port: port,
                                 session: .init(echoInterval: .milliseconds(Int(echoInterval * 1000)))),
            apps: selected, store: store, log: .stdout)
        var server: APIServer?
        if api != "none" {
            let (apiHost, apiPort) = try Self.split(api, option: "--api")
            let token = apiToken ?? ProcessInfo.processInfo.environment["SDN_API_TOKEN"]
            server = try APIServer(controller: controller, configuration: .init(host: apiHost, port: apiPort, token: token))
        }
        try await controller.start()
        try await server?.start()
        ControllerLog.stdout("controller: apps \(selected.map(\.name).joined(separator: ", "))")
        let signal = await signals.wait()
        ControllerLog.stdout("controller: signal \(signal), shutting down")
        await server?.shutdown()
        await controller.shutdown()
    }
}

// Top-level code would settle on the synchronous `run()`/`main()` of ParsableCommand; an explicit
// async function gets the async ones.
func runCommand() async {
    do {
        let command = try SDNController.parse()
        try await command.run()
    } catch {
        SDNController.exit(withError: error)
    }
}

await runCommand()
