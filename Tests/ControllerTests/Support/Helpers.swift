import Controller
import Foundation
import OpenFlow
import Packet
import Testing

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
@discardableResult
/// Waits for a condition expected to become true. The deadline is long on purpose: under
/// `swift test` every suite runs at once, and the CPU-bound fuzz tests can hold both cooperative
/// threads of this 2-core machine for tens of seconds, starving the controller's tasks. It only
/// bounds a failing wait; it is not a timing assertion.
func eventually(timeout: Duration = .seconds(120), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// A value shared between a test and the tasks or threads it watches.
final class Box<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: Value
    init(_ value: Value) { _value = value }
    var value: Value {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&_value) } }
}

/// Log lines kept for assertions.
final class LogLines: Sendable {
    let lines = Box<[String]>([])
    var log: ControllerLog { ControllerLog { [lines] line in lines.mutate { $0.append(line) } } }
    func contains(_ text: String) -> Bool { lines.value.contains { $0.contains(text) } }
}

/// Records the events the controller delivers, as short strings.
final class RecordingApp: ControllerApp {
    let name = "recorder"
    let events = Box<[String]>([])

    func handle(_ event: ControllerEvent, controller: Controller) async {
        let text = switch event {
        case .switchConnected(let s): "connected \(s.datapathID ?? 0)"
        case .switchDisconnected(let dpid): "disconnected \(dpid)"
        case .packetIn(let s, _): "packetIn \(s.datapathID ?? 0)"
        case .portStatus(let s, let p): "portStatus \(s.datapathID ?? 0) \(p.port.portNo)"
        case .flowRemoved(let s, _): "flowRemoved \(s.datapathID ?? 0)"
        case .error(let s, let e): "error \(s.datapathID ?? 0) \(e)"
        case .resynced(let s, _): "resynced \(s.datapathID ?? 0)"
        }
        events.mutate { $0.append(text) }
    }
}

/// A started controller on a free port of 127.0.0.1.
func startController(apps: [any ControllerApp] = [], echoInterval: Duration = .seconds(5),
                     resyncOnConnect: Bool = true, log: ControllerLog = .silent) async throws -> Controller {
    let controller = Controller(
        configuration: .init(host: "127.0.0.1", port: 0,
                             session: .init(echoInterval: echoInterval, requestTimeout: .seconds(60)),
                             resyncOnConnect: resyncOnConnect),
        apps: apps, log: log)
    try await controller.start()
    return controller
}

/// Connects the fake and waits until the controller has it as a ready session.
@discardableResult
func connect(_ fake: FakeSwitch, to controller: Controller, waitForResync: Bool = false) async throws -> SwitchSession {
    let resyncsBefore = controller.resyncCount
    try fake.connect(port: try #require(controller.localPort))
    let ready = await eventually { controller.session(datapathID: fake.datapathID)?.isReady == true }
    try #require(ready, "switch \(fake.datapathID) did not become ready")
    if waitForResync {
        let synced = await eventually { controller.resyncCount > resyncsBefore && controller.lastResync(datapathID: fake.datapathID) != nil }
        try #require(synced, "switch \(fake.datapathID) was not re-synced")
    }
    return try #require(controller.session(datapathID: fake.datapathID))
}

let macA = MACAddress(0x02, 0, 0, 0, 0, 0x0A)
let macB = MACAddress(0x02, 0, 0, 0, 0, 0x0B)
let macC = MACAddress(0x02, 0, 0, 0, 0, 0x0C)

/// An IPv4/UDP-ish frame from `src` to `dst`, tagged when `vlan` is given.
func frame(from src: MACAddress, to dst: MACAddress, vlan: UInt16? = nil) -> [UInt8] {
    EthernetFrame(destination: dst, source: src, tags: vlan.map { [VLANTag(vid: $0)] } ?? [],
                  etherType: 0x88B5, payload: Array("hello from \(src)".utf8)).bytes(minimumLength: 60)
}

func outputs(_ instructions: OFInstructionList) -> [UInt32] {
    instructions.flatMap { i -> [UInt32] in
        guard case .applyActions(let actions) = i else { return [] }
        return actions.compactMap { if case .output(let port, _) = $0 { port } else { nil } }
    }
}

func outputs(_ actions: OFActionList) -> [UInt32] {
    actions.compactMap { if case .output(let port, _) = $0 { port } else { nil } }
}

/// A static flow: in_port → output.
func forward(_ inPort: UInt32, to outPort: UInt32, priority: UInt16 = 100, cookie: UInt64 = 0x5) -> OFFlowMod {
    OFFlowMod(cookie: cookie, tableID: 0, command: .add, priority: priority, match: OFMatch([.inPort(inPort)]),
              instructions: [.applyActions([.output(port: outPort, maxLength: 0)])])
}
