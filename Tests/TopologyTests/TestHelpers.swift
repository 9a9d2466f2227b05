import Testing
import TestSupport
@testable import Topology

/// The diagnostics for YAML text as `file:line:col: message` lines ([] when it loads).
func problems(_ yaml: String, file: String = "t.yaml",
              flowValidator: ((String) -> String?)? = nil) -> [String] {
    do {
        _ = try TopologyLoader.parse(yaml: yaml, file: file, flowValidator: flowValidator)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// Parses YAML text that must be valid, recording the diagnostics as the failure if not.
func loaded(_ yaml: String, file: String = "t.yaml", sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> TopologyFile {
    do {
        return try TopologyLoader.parse(yaml: yaml, file: file)
    } catch {
        Issue.record("expected the topology to load:\n\(error)", sourceLocation: sourceLocation)
        throw error
    }
}

func topologyPath(_ name: String) -> String {
    Fixtures.repositoryRoot.appendingPathComponent("topologies/\(name).yaml").path
}

/// The smallest valid topology around some hosts/links text, for tests of one mistake.
let oneSwitch = """
    switches:
      s1:
        datapath-id: 1
        ports:
          1: {name: p1, type: tap}
          2: {name: p2, type: tap}
          3: {name: p3, type: system, interface: veth3}
          4: {name: p4, type: pcap}
    """
