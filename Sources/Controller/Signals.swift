import Dispatch
import Foundation

/// Catches termination signals from the moment it is made (their default action, dying, is
/// switched off), so a signal that comes during start-up is not lost; `wait()` returns the
/// first one caught.
public final class TerminationSignals: Sendable {
    struct State {
        var sources: [any DispatchSourceSignal] = []
        var caught: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    private let state = Locked(State())

    public init(_ signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [state] in
                let waiters = state.withLock { s -> [CheckedContinuation<Int32, Never>] in
                    if s.caught == nil { s.caught = number }
                    defer { s.waiters = [] }
                    return s.waiters
                }
                for waiter in waiters { waiter.resume(returning: number) }
            }
            state.withLock { $0.sources.append(source) }
            source.resume()
        }
    }

    /// The first signal caught, waiting for one if none came yet.
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let caught = state.withLock { s -> Int32? in
                if let caught = s.caught { return caught }
                s.waiters.append(continuation)
                return nil
            }
            if let caught { continuation.resume(returning: caught) }
        }
    }
}
