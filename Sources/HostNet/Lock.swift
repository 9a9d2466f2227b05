import Glibc

/// A pthread mutex serializing use of a libnl socket.
///
/// Not Synchronization.Mutex: on Linux that one waits with raw futex calls, which
/// ThreadSanitizer cannot see, so every serialized access would be reported as a race.
final class Lock: @unchecked Sendable {  // the mutex is the synchronization itself
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let code = pthread_mutex_init(mutex, nil)  // pthread_mutex_init(3)
        precondition(code == 0, "pthread_mutex_init failed: \(code)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` holding the mutex (pthread_mutex_lock(3) / pthread_mutex_unlock(3)).
    func withLock<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
