import Foundation

/// A value shared across event loops and tasks, read and written under a lock.
///
/// Sessions are touched from their channel's event loop and from any task that sends to them;
/// one short critical section per access keeps that simple without hopping threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    var current: Value { withLock { $0 } }
}
