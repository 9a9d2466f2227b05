import Foundation
import Glibc

/// ofbench: a cbench-like load generator for OpenFlow controllers.
///   ofbench reactive --controller 127.0.0.1:6653 --switches 16 --macs 1000 --duration 10
///   ofbench latency  --controller 127.0.0.1:6653 --switches 1 --macs 1000 --duration 10
/// Throughput mode keeps a window of PACKET_INs outstanding per switch and counts FLOW_MOD and
/// PACKET_OUT answers per second; latency mode sends one PACKET_IN at a time and reports the
/// round-trip percentiles.
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
let window = Int(option("window", "64"))!
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
Thread.sleep(forTimeInterval: 1.0)  // let the handshakes finish

final class Counter: @unchecked Sendable {
    let lock = NSLock()
    var responses = 0
    var latencies: [Double] = []
    var inflight: [Int] = []
}
let counter = Counter()
counter.inflight = Array(repeating: 0, count: switchCount)

var threads: [Thread] = []
for (index, sw) in switches.enumerated() {
    let semaphore = DispatchSemaphore(value: mode == "latency" ? 1 : window)
    final class SentAt: @unchecked Sendable { var time: Double = 0 }
    let sentAt = SentAt()
    let reader = Thread {
        sw.readLoop(stop: { flag.stop }) { completes in
            if flag.measuring { counter.lock.lock(); counter.responses += 1; counter.lock.unlock() }
            guard completes else { return }
            if mode == "latency" && flag.measuring {
                let rtt = (Date().timeIntervalSince1970 - sentAt.time) * 1e6
                counter.lock.lock(); counter.latencies.append(rtt); counter.lock.unlock()
            }
            semaphore.signal()
        }
    }
    let writer = Thread {
        var i = 0
        while !flag.stop {
            if semaphore.wait(timeout: .now() + 0.5) == .timedOut { semaphore.signal(); continue }
            sentAt.time = Date().timeIntervalSince1970
            sw.packetIn(i)
            i += 1
        }
    }
    _ = index
    threads += [reader, writer]
    reader.start(); writer.start()
}
Thread.sleep(forTimeInterval: warmup)
counter.lock.lock(); counter.responses = 0; counter.latencies = []; counter.lock.unlock()
flag.measuring = true
let start = Date()
Thread.sleep(forTimeInterval: duration)
flag.measuring = false
let elapsed = Date().timeIntervalSince(start)
counter.lock.lock()
let responses = counter.responses
let lat = counter.latencies.sorted()
counter.lock.unlock()
flag.stop = true
Thread.sleep(forTimeInterval: 0.5)

func pct(_ p: Double) -> Double { lat.isEmpty ? 0 : lat[min(lat.count - 1, Int(Double(lat.count) * p))] }
let rate = Double(responses) / elapsed
var result: [String: Any] = ["mode": mode, "switches": switchCount, "macs": macs, "duration_s": elapsed,
                             "responses": responses, "responses_per_s": rate]
if mode == "latency" { result["p50_us"] = pct(0.5); result["p99_us"] = pct(0.99); result["samples"] = lat.count }
emit(String(format: "ofbench %@: %d switches, %.0f responses/s", mode, switchCount, rate)
      + (mode == "latency" ? String(format: ", latency p50 %.1f µs, p99 %.1f µs (%d samples)", pct(0.5), pct(0.99), lat.count) : ""))
if let json = try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]) {
    emit(String(decoding: json, as: UTF8.self))
}
exit(0)
