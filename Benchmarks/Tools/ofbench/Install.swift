import Controller
import Foundation
import OpenFlow
import Packet

/// `ofbench install --listen 127.0.0.1:16653 --flows 100000 --batch 1000`: acts as the controller
/// (the Controller library, no apps), waits for one switch to connect, pushes N distinct flows
/// in barrier-confirmed batches and reports flows/s, then checks the switch's flow count.
func runInstall() -> Never {
    let listen = option("listen", "127.0.0.1:16653").split(separator: ":")
    let total = Int(option("flows", "100000"))!
    let batch = Int(option("batch", "1000"))!
    let semaphore = DispatchSemaphore(value: 0)
    final class Box: @unchecked Sendable { var code: Int32 = 0 }
    let box = Box()
    Task {
        let controller = Controller(configuration: .init(host: String(listen[0]), port: Int(listen[1])!, resyncOnConnect: false),
                                    apps: [], log: .silent)
        do {
            try await controller.start()
            emit("ofbench install: waiting for a switch on \(listen.joined(separator: ":"))")
            var session: SwitchSession?
            for _ in 0..<300 {
                if let s = controller.sessions.first(where: { $0.isReady }) { session = s; break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            guard let session else { emit("ofbench install: no switch connected"); box.code = 1; semaphore.signal(); return }
            let flows: [OFFlowMod] = (0..<total).map { i in
                OFFlowMod(cookie: 0xBE4C_0000_0000_0000 | UInt64(i), tableID: 0, command: .add, priority: 100,
                          match: OFMatch([.inPort(1), .ethType(0x0800),
                                          .ipv4Dst(IPv4Address(rawValue: 0x0A00_0000 | UInt32(i)))]),
                          instructions: [.applyActions([.output(port: 2)])])
            }
            let start = Date()
            var failures = 0
            var offset = 0
            while offset < flows.count {
                let result = try await session.push(flowMods: Array(flows[offset..<min(offset + batch, flows.count)]))
                failures += result.failures.count
                offset += batch
            }
            let elapsed = Date().timeIntervalSince(start)
            let replies = try await session.request(.multipartRequest(OFMultipartRequest(.aggregate(OFFlowStatsRequest(
                cookie: 0xBE4C_0000_0000_0000, cookieMask: 0xFFFF_0000_0000_0000)))))
            var installed = -1
            for case .multipartReply(let r) in replies { if case .aggregate(let a) = r.body { installed = Int(a.flowCount) } }
            let rate = Double(total) / elapsed
            emit(String(format: "ofbench install: %d flows in batches of %d, barrier-confirmed, in %.3f s: %.0f flows/s; %d errors; switch reports %d flows",
                         total, batch, elapsed, rate, failures, installed))
            let json: [String: Any] = ["mode": "install", "flows": total, "batch": batch, "seconds": elapsed,
                                       "flows_per_s": rate, "errors": failures, "installed": installed]
            if let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) { emit(String(decoding: data, as: UTF8.self)) }
            box.code = installed == total && failures == 0 ? 0 : 1
        } catch {
            emit("ofbench install: \(error)")
            box.code = 1
        }
        await controller.shutdown()
        semaphore.signal()
    }
    semaphore.wait()
    exit(box.code)
}
