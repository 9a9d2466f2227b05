/// Why a lab step failed: one line for the user.
public struct LabError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The exit status `sdnctl` ends with: 1 for lab errors; `exec` uses 126/127 as env(1) does
    /// when the command cannot be run.
    public var exitStatus: Int32
    public init(_ description: String, exitStatus: Int32 = 1) {
        self.description = description; self.exitStatus = exitStatus
    }
}

/// `up` or `down` failed: the report of the steps done so far (for `--json`) and the cause,
/// which is a `LabError`, a `TopologyError` or a `HostNetError`.
public struct LabFailure: Error, Sendable {
    public var report: LabReport
    public var underlying: any Error
}
