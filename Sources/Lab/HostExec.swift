import CShims
import Foundation
import Glibc

/// `sdnctl lab exec HOST -- CMD ARGS…`: runs a command inside a lab host's network namespace.
public enum HostExec {
    /// The host and the lab it belongs to, from the state files (one lab with `topology`).
    public static func find(host: String, topology: String?, store: LabStateStore) throws(LabError) -> (LabState, LabState.HostRecord) {
        let labs: [LabState]
        if let topology {
            guard let state = try store.load(topology) else {
                throw LabError("no lab '\(topology)' is up (no state file \(store.path(for: topology)))")
            }
            labs = [state]
        } else {
            labs = store.all()
        }
        let matches = labs.compactMap { lab in lab.hosts.first { $0.name == host }.map { (lab, $0) } }
        if matches.count > 1 {
            throw LabError("host '\(host)' is in labs \(matches.map(\.0.topology).joined(separator: ", ")); choose one with --name")
        }
        guard let match = matches.first else {
            let known = labs.flatMap { lab in lab.hosts.map { "\($0.name) (\(lab.topology))" } }
            throw LabError("no host '\(host)' in \(topology.map { "lab '\($0)'" } ?? "any lab that is up"); known hosts: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        return match
    }

    /// Enters the host's namespace on this thread and replaces the process with the command,
    /// so the command (and all it starts) runs there with the status as sdnctl's exit status.
    /// Returns only by throwing.
    public static func exec(_ host: LabState.HostRecord, _ command: [String]) throws(LabError) -> Never {
        guard let program = command.first else { throw LabError("no command given (usage: sdnctl lab exec HOST -- CMD ARGS…)") }
        let path = "/run/netns/\(host.namespace)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw LabError("open(\(path)) for host \(host.name): \(reason)\(errno == ENOENT ? " (is its lab still up?)" : "")")
        }
        // setns moves only the calling thread; execvp below keeps that thread's namespaces and
        // ends every other thread, so the command sees only the host's network.
        if sdn_setns_net(fd) != 0 {
            let code = errno
            close(fd)
            throw LabError("setns(\(path), CLONE_NEWNET): \(String(cString: strerror(code)))\(code == EPERM ? " (needs root)" : "")")
        }
        close(fd)
        // Nothing printed so far may be lost in the exec.
        fflush(nil)
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        execvp(program, argv)
        let code = errno
        argv.forEach { free($0) }
        throw LabError("execvp(\(program)): \(String(cString: strerror(code)))", exitStatus: code == ENOENT ? 127 : 126)
    }
}
