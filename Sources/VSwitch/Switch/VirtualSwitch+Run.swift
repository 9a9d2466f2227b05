import Dispatch
import Glibc

extension VirtualSwitch {
    /// Starts the datapath thread and the housekeeping thread (timeouts, MAC aging); they are
    /// named `sdn-datapath` and `sdn-housekeep` (as `top -H` shows them).
    ///
    /// `datapathNice` sets the datapath thread's niceness. Forwarding shares the CPUs with the
    /// hosts it serves: at the default weight every frame written to a host wakes its receiver,
    /// which preempts the datapath (tens of thousands of involuntary switches a second under a
    /// 64-byte flood) and frames pile up and drop in the TAP queues. Open vSwitch's `ovs-ctl`
    /// starts ovs-vswitchd at -10 for the same reason. Returns the error when the niceness could
    /// not be set (it needs CAP_SYS_NICE); the switch then runs at its inherited niceness.
    @discardableResult
    public func start(datapathNice: Int32? = nil, busyPollNanoseconds: UInt64 = VirtualSwitch.defaultBusyPollNanoseconds) -> String? {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        let setup = Protected<String?>(nil)
        let ready = DispatchSemaphore(value: 0)
        thread = Self.spawn { [self] in
            Sys.setThreadName("sdn-datapath")
            if let nice = datapathNice, let e = Sys.setThreadNice(nice) {
                setup.withLock { $0 = "niceness \(nice) of the datapath thread: \(String(cString: strerror(e.code)))" }
            }
            ready.signal()
            datapathLoop(busyPoll: busyPollNanoseconds)
        }
        housekeepingThread = Self.spawn { [self] in
            Sys.setThreadName("sdn-housekeep")
            ready.signal()
            housekeepingLoop()
        }
        // Both threads are named (and the datapath's niceness set) when this returns.
        for t in [thread, housekeepingThread] where t != nil { ready.wait() }
        return setup.withLock { $0 }
    }

    /// Stops both threads and waits for them; the ports stay open until `close`.
    public func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        if let t = thread { pthread_join(t, nil) }
        if let t = housekeepingThread { pthread_join(t, nil) }
        thread = nil
        housekeepingThread = nil
    }

    /// Stops and closes every port; TAP devices the switch created disappear with their fd.
    public func close() {
        stop()
        for port in ports { port.close() }
    }

    /// How long the datapath keeps polling without sleeping after it last forwarded a frame,
    /// unless `start` is given another window. A reply usually follows within tens of
    /// microseconds; catching it without a sleep and a wake-up shortens round trips, and an idle
    /// switch still sleeps. A window longer than the gaps between frames (tens of milliseconds
    /// for a 10 ms ping) keeps the datapath polling for as long as traffic flows: 15–30 % shorter
    /// round trips measured on a 2-core VM, at the price of a busy core while it lasts. A longer
    /// window than this default applies only once frames come within a window of each other,
    /// so a stray frame on a quiet network (a router solicitation) costs the default only.
    public static let defaultBusyPollNanoseconds: UInt64 = 200_000

    /// Polls every port's descriptor and forwards a batch from each ready one, round-robin.
    /// Blocks in poll(2) with a timeout when idle, so an idle switch uses no CPU.
    func datapathLoop(busyPoll: UInt64) {
        let polled = ports.indices.filter { ports[$0].fileDescriptor >= 0 }
        var fds = polled.map { pollfd(fd: ports[$0].fileDescriptor, events: Int16(POLLIN), revents: 0) }
        // Last entry: the injection queue's eventfd (PACKET_OUT from the controller).
        fds.append(pollfd(fd: datapath.injected.fileDescriptor, events: Int16(POLLIN), revents: 0))
        let shortWindow = min(busyPoll, Self.defaultBusyPollNanoseconds)
        var lastActivity: UInt64 = 0
        var window: UInt64 = 0
        while running.load(ordering: .relaxed) {
            let spinning = MonotonicClock.nanoseconds() &- lastActivity < window
            let n = fds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), spinning ? 0 : 100) }
            if n <= 0 { continue }
            if fds[fds.count - 1].revents != 0 { datapath.drainInjected() }
            // Drain ready ports in turns of one batch each, until all are empty or a budget runs out.
            var budget = 64
            var active = true
            var forwarded = 0
            while active && budget > 0 {
                active = false
                budget -= 1
                for (i, slot) in polled.enumerated() where fds[i].revents != 0 {
                    guard fds[i].revents & Int16(POLLIN) != 0 else { continue }
                    let received = datapath.poll(slot: slot)
                    forwarded += received
                    if received == Datapath.batchSize { active = true }
                }
            }
            for i in fds.indices { fds[i].revents = 0 }
            if forwarded > 0 {
                let t = MonotonicClock.nanoseconds()
                window = t &- lastActivity < busyPoll ? busyPoll : shortWindow
                lastActivity = t
            }
        }
    }

    func housekeepingLoop() {
        var ticks = 0
        while running.load(ordering: .relaxed) {
            usleep(100_000)
            ticks += 1
            guard ticks % 10 == 0 else { continue }
            expireFlows()
            let now = MonotonicClock.nanoseconds()
            datapath.lock.withLock { _ = datapath.macTable.expire(now: now) }
            refreshLinks()
            for case let port as SystemPort in ports { port.collectKernelDrops() }
        }
    }

    static func spawn(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        final class Box: @unchecked Sendable { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        var t = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&t, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        return rc == 0 ? t : nil
    }
}
