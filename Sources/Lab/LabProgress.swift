import Foundation

/// How `up` and `down` tell the user what happens: numbered steps with their durations, as
/// human text while it happens, or one JSON object at the end for scripts.
public final class LabProgress {
    public struct Step: Codable, Sendable {
        public var name: String
        /// `ok`, `skipped`, `failed`.
        public var status: String
        public var seconds: Double
        public var detail: String?
    }

    public let json: Bool
    private let total: Int
    private(set) var steps: [Step] = []
    /// Lines of `down`/rollback: what was removed.
    private(set) var actions: [String] = []
    /// Notes made while a step's line is open wait until its status ends the line.
    private var stepOpen = false
    private var pending: [String] = []

    public init(json: Bool, steps total: Int) {
        self.json = json; self.total = total
    }

    /// The outcome of a step body that did not fail.
    public enum Outcome {
        case ok(String? = nil)
        case skipped(String)
    }

    /// Runs one numbered step; prints `[n/N] title … ok (0.12 s)` around it.
    func step(_ title: String, _ body: () throws -> Outcome) throws {
        let number = steps.count + 1
        if !json { write("[\(number)/\(total)] \(title) … ") }
        let start = DispatchTime.now()
        stepOpen = true
        defer { stepOpen = false; flushNotes() }
        do {
            let outcome = try body()
            let seconds = Self.seconds(since: start)
            switch outcome {
            case .ok(let detail):
                steps.append(Step(name: title, status: "ok", seconds: seconds, detail: detail))
                if !json { write("ok (\(Self.format(seconds)))\(detail.map { ": \($0)" } ?? "")\n") }
            case .skipped(let reason):
                steps.append(Step(name: title, status: "skipped", seconds: seconds, detail: reason))
                if !json { write("skipped (\(reason))\n") }
            }
        } catch {
            let seconds = Self.seconds(since: start)
            steps.append(Step(name: title, status: "failed", seconds: seconds, detail: "\(error)"))
            if !json { write("failed (\(Self.format(seconds)))\n") }
            throw error
        }
    }

    /// A line about something done outside the numbered steps (a removal, a note).
    func note(_ line: String) {
        actions.append(line)
        if stepOpen { pending.append(line) } else if !json { write("  \(line)\n") }
    }

    private func flushNotes() {
        if !json { for line in pending { write("  \(line)\n") } }
        pending.removeAll()
    }

    /// Text for the human reader only (the JSON carries the same facts as fields).
    func say(_ text: String) {
        if !json { write(text + "\n") }
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func format(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }

    /// Unbuffered, so a step's title is on screen while it runs and the order with stderr holds.
    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// What `up` or `down` prints at the end with `--json`.
public struct LabReport: Codable, Sendable {
    public struct Host: Codable, Sendable {
        public var name: String
        public var namespace: String
        public var interface: String
        public var addresses: [String]
        public var mac: String?
    }

    public var command: String
    public var topology: String
    public var ok: Bool
    public var error: String?
    public var steps: [LabProgress.Step]
    public var actions: [String]
    public var hosts: [Host]
    public var stateFile: String
    public var seconds: Double

    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
