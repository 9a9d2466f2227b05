import ArgumentParser
import Controller
import Foundation

/// Options of every command that talks to the controller's API.
struct ControllerOptions: ParsableArguments {
    @Option(help: "Controller API address (default: $SDN_CONTROLLER, else http://127.0.0.1:6680).")
    var controller: String?

    @Option(help: "Bearer token for the API (default: $SDN_API_TOKEN).")
    var token: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    var address: String {
        controller ?? ProcessInfo.processInfo.environment["SDN_CONTROLLER"] ?? "http://127.0.0.1:\(APIServer.defaultPort)"
    }

    func client() throws -> APIClient {
        try failing { () throws(APIError) in
            try APIClient(address: address, token: token ?? ProcessInfo.processInfo.environment["SDN_API_TOKEN"])
        }
    }

    /// Prints `value` as JSON when asked, else runs `human`.
    func output<T: Encodable>(_ value: T, human: () -> Void) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
        } else {
            human()
        }
    }
}

/// Runs `body`; a user-facing error becomes one line (plus its details) on stderr and exit 1.
func failing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("sdnctl: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// Left-aligned columns, two spaces apart, as `ovs-vsctl list`-style tools print.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }
    print(line(header))
    rows.forEach { print(line($0)) }
}
