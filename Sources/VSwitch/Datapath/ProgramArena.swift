/// The programs (translations of flow keys) that the exact-match cache points at, stored flat
/// so that a cache hit reads its program without retaining anything.
///
/// A `DatapathProgram` holds two arrays; copying one out of the datapath per frame retained
/// both, and bumping each flow's counters retained its `FlowStats`. Here a program is a plain
/// entry of ranges into two shared arrays: its operations, and unretained references to its
/// flows' counters (kept alive by `owners`). Everything is dropped at once, when the pipeline
/// or the ports change or the cache is full.
struct ProgramArena {
    struct Entry {
        var opsStart: Int32
        var opsCount: Int32
        var flowsStart: Int32
        var flowsCount: Int32
        /// True when no table matched at some stage (table miss without a miss flow).
        var tableMiss: Bool

        var ops: Range<Int> { Int(opsStart)..<Int(opsStart + opsCount) }
        var flows: Range<Int> { Int(flowsStart)..<Int(flowsStart + flowsCount) }
    }

    private(set) var entries: [Entry] = []
    /// Every program's operations, back to back.
    private(set) var ops: [DatapathOp] = []
    /// Every program's flow counters, back to back, read without retaining them.
    private(set) var flows: [Unmanaged<FlowStats>] = []
    /// The same counters, owned: they live as long as an entry refers to them.
    private var owners: [FlowStats] = []

    var count: Int { entries.count }

    /// Adds `program` and returns its index.
    mutating func append(_ program: DatapathProgram) -> Int32 {
        entries.append(Entry(opsStart: Int32(ops.count), opsCount: Int32(program.ops.count),
                             flowsStart: Int32(flows.count), flowsCount: Int32(program.flows.count),
                             tableMiss: program.tableMiss))
        ops.append(contentsOf: program.ops)
        owners.append(contentsOf: program.flows)
        for stats in program.flows { flows.append(.passUnretained(stats)) }
        return Int32(entries.count - 1)
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        ops.removeAll(keepingCapacity: true)
        flows.removeAll(keepingCapacity: true)
        owners.removeAll(keepingCapacity: true)
    }
}
