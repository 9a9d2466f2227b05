import Glibc

/// Runs work on a fresh pthread that exits when the work is done.
///
/// setns(2) and unshare(2) change the namespace of the calling thread only. Doing that on a
/// thread from Swift's cooperative pool (or any thread someone else reuses) would leave later,
/// unrelated work running in the wrong namespace; a thread that is created for one job and then
/// exits can never be reused, whatever namespace it ends in.
enum DedicatedThread {
    /// The type-erased job handed to the C entry point; it captures the generic parts.
    private final class Job {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    /// Runs `work` on a new thread (pthread_create(3)) and waits for it (pthread_join(3)).
    /// The join orders the worker's write of the result before our read of it.
    static func run<T, Failure: Error>(
        _ operation: String, _ subject: String,
        _ work: () throws(Failure) -> T
    ) throws(HostNetError) -> Result<T, Failure> {
        try withoutActuallyEscaping(work) { (escapable) throws(HostNetError) -> Result<T, Failure> in
            var outcome: Result<T, Failure>?
            try withUnsafeMutablePointer(to: &outcome) { (slot) throws(HostNetError) in
                // The pointer is only used before pthread_join returns, while `outcome` lives.
                nonisolated(unsafe) let slot = slot
                let job = Job { slot.pointee = Result { () throws(Failure) -> T in try escapable() } }
                let context = Unmanaged.passRetained(job).toOpaque()
                var thread = pthread_t()
                let created = pthread_create(&thread, nil, { context in
                    Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().work()
                    return nil
                }, context)
                if created != 0 {
                    Unmanaged<Job>.fromOpaque(context).release()
                    throw .system(operation, subject, errno: created)
                }
                let joined = pthread_join(thread, nil)
                precondition(joined == 0, "pthread_join failed: \(joined)")
            }
            return outcome!
        }
    }
}
