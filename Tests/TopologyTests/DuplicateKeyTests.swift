import Testing
@testable import Topology

/// Yams refuses a mapping with a repeated key; the loader reports each repetition and reads on.
@Suite struct DuplicateKeyTests {
    @Test func repeatedKeyInAMultiLineFlowMapping() {
        let yaml = """
            switches: {s1: {datapath-id: 1, ports: {1: {name: a, type: tap}}}}
            hosts: {
              h1: {switch: s1, port: 1, ip: 10.0.0.1/24},
              # a comment, with 'quotes' and {braces}
              "h1": {switch: s1, port: 1}
            }
            """
        #expect(problems(yaml) == ["t.yaml:5:3: duplicate key 'h1' (first at line 3)"])
    }

    @Test func keyRepeatedThreeTimes() {
        let yaml = """
            switches:
              s1: {datapath-id: 1}
              s1: {datapath-id: 2}
              s1: {datapath-id: 3}
            """
        #expect(problems(yaml) == [
            "t.yaml:3:3: duplicate key 's1' (first at line 2)",
            "t.yaml:4:3: duplicate key 's1' (first at line 2)",
        ])
    }

    @Test func sameKeyInSiblingMappingsIsFine() throws {
        // Each port mapping has its own 'name'; a sequence item's keys do not collide with the next.
        let topology = try loaded("""
            switches:
              s1:
                datapath-id: 1
                ports:
                  1:
                    name: a
                    type: system
                    interface: va
                  2:
                    name: b
                    type: system
                    interface: vb
              s2:
                datapath-id: 2
                ports:
                  1: {name: a, type: system, interface: vc}
                  2: {name: b, type: system, interface: vd}
            links:
              - a: s1:1
                b: s2:1
              - a: s1:2
                b: s2:b
            """)
        #expect(topology.links.count == 2)
    }
}

extension DuplicateKeyTests {
    @Test func quotedScalarSpanningLinesBeforeTheRepeat() {
        let yaml = """
            switches: {s1: {datapath-id: 1}}
            hosts: {h1: {switch: s1, port: 1, namespace: "a
              b"}, h1: {}}
            """
        #expect(problems(yaml) == [
            "t.yaml:2:32: host 'h1' names port 1, which switch 's1' does not have (ports: none)",
            "t.yaml:2:46: 'namespace' 'a b' is not a valid network namespace name: it contains '/' or whitespace",
            "t.yaml:3:8: duplicate key 'h1' (first at line 2)",
        ])
    }
}
