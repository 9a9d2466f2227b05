import Foundation
import Glibc

/// ofbench: a cbench-like load generator for OpenFlow controllers.
///   ofbench reactive --controller 127.0.0.1:6653 --switches 16 --macs 1000 --duration 10
///   ofbench latency  --controller 127.0.0.1:6653 --switches 1 --macs 1000 --duration 10
/// Each switch answers the controller's handshake before it sends a PACKET_IN. Throughput mode
/// keeps a window of PACKET_INs outstanding per switch and counts FLOW_MOD and PACKET_OUT
/// answers per second, in total and per switch (a controller that starves some switches shows
/// as a low minimum); latency mode sends one PACKET_IN at a time and reports the round-trip
/// percentiles. `unanswered_packet_ins` (per switch, at the end) above the window means PACKET_INs
/// the controller never answered.
/// Writes a line to stdout at once (scripts wait for these lines).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count { return args[i + 1] }
    return fallback
}

let mode = CommandLine.arguments.dropFirst().first ?? "reactive"
if mode == "codec" {
    runCodec()  // never returns
}
if mode == "install" {
    runInstall()  // never returns
}
let target = option("controller", "127.0.0.1:6653").split(separator: ":")
let host = String(target[0]), port = UInt16(target[1]) ?? 6653
let switchCount = Int(option("switches", mode == "latency" ? "1" : "16"))!
let macs = Int(option("macs", "1000"))!
let duration = Double(option("duration", "10"))!
// PACKET_INs outstanding per switch: one at a time in latency mode.
let window = mode == "latency" ? 1 : Int(option("window", "64"))!
let warmup = Double(option("warmup", "2"))!

final class Flag: @unchecked Sendable { var stop = false; var measuring = false }
let flag = Flag()
var switches: [EmulatedSwitch] = []
do {
    for i in 0..<switchCount { switches.append(try EmulatedSwitch(dpid: UInt64(0x1000 + i), host: host, port: port, macs: macs)) }
} catch {
    FileHandle.standardError.write(Data("ofbench: \(error.localizedDescription)\n".utf8))
    exit(1)
}
final class Counter: @unchecked Sendable {
    let lock = NSLock()
    var latencies: [Double] = []
}
let counter = Counter()

// Readers first: they answer the controller's handshake. PACKET_INs are written only once every
// switch has answered it (sdn-controller drops those that come earlier, and each one dropped
// would shrink its switch's window for good).
let windows = switches.map { _ in DispatchSemaphore(value: window) }
final class SentAt: @unchecked Sendable { var time: Double = 0 }
let sentAt = switches.map { _ in SentAt() }
for (index, sw) in switches.enumerated() {
    let reader = Thread {
        sw.readLoop(stop: { flag.stop }) {
            if mode == "latency" && flag.measuring {
                let rtt = (Date().timeIntervalSince1970 - sentAt[index].time) * 1e6
                counter.lock.lock(); counter.latencies.append(rtt); counter.lock.unlock()
            }
            windows[index].signal()
        }
    }
    reader.start()
}
for sw in switches where sw.handshakeDone.wait(timeout: .now() + 10) == .timedOut {
    FileHandle.standardError.write(Data("ofbench: switch \(sw.dpid) saw no handshake from the controller in 10 s\n".utf8))
    exit(1)
}
for (index, sw) in switches.enumerated() {
    // A PACKET_IN that is never answered keeps its place in the window: the window shrinks and
    // the JSON's `unanswered_packet_ins` says so (the timeout only lets the loop see `stop`).
    let writer = Thread {
        var i = 0
        while !flag.stop {
            if windows[index].wait(timeout: .now() + 0.5) == .timedOut { continue }
            sentAt[index].time = Date().timeIntervalSince1970
            sw.packetIn(i)
            i += 1
        }
    }
    writer.start()
}
Thread.sleep(forTimeInterval: warmup)
counter.lock.lock(); counter.latencies = []; counter.lock.unlock()
let responsesBefore = switches.map { $0.responses.load(ordering: .relaxed) }
flag.measuring = true
let start = Date()
Thread.sleep(forTimeInterval: duration)
flag.measuring = false
let elapsed = Date().timeIntervalSince(start)
// Per switch, as cbench prints them: a controller that answers some switches and starves the
// others shows here, not in the total.
let perSwitch = zip(switches, responsesBefore).map { $0.responses.load(ordering: .relaxed) - $1 }
let responses = perSwitch.reduce(0, +)
// More unanswered than a window holds: PACKET_INs the controller never answered.
let unanswered = switches.map(\.unanswered)
counter.lock.lock()
let lat = counter.latencies.sorted()
counter.lock.unlock()
flag.stop = true
Thread.sleep(forTimeInterval: 0.5)

func pct(_ p: Double) -> Double { lat.isEmpty ? 0 : lat[min(lat.count - 1, Int(Double(lat.count) * p))] }
let rate = Double(responses) / elapsed
var result: [String: Any] = ["mode": mode, "switches": switchCount, "macs": macs, "window": window, "duration_s": elapsed,
                             "responses": responses, "responses_per_s": rate]
result["per_switch_responses"] = perSwitch
result["unanswered_packet_ins"] = unanswered
if mode == "latency" { result["p50_us"] = pct(0.5); result["p99_us"] = pct(0.99); result["samples"] = lat.count }
emit(String(format: "ofbench %@: %d switches, %.0f responses/s", mode, switchCount, rate)
      + (switchCount > 1 ? String(format: " (per switch: min %d, max %d responses)", perSwitch.min() ?? 0, perSwitch.max() ?? 0) : "")
      + (mode == "latency" ? String(format: ", latency p50 %.1f µs, p99 %.1f µs (%d samples)", pct(0.5), pct(0.99), lat.count) : ""))
if let json = try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]) {
    emit(String(decoding: json, as: UTF8.self))
}
exit(0)
