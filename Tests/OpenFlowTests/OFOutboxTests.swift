@testable import OpenFlow
import Testing

@Suite("OFOutbox")
struct OFOutboxTests {
    @Test("The first addition asks for a flush; later ones ride on it until the queue is taken")
    func oneFlushPerBurst() throws {
        let outbox = OFOutbox()
        #expect(try outbox.add([(.barrierRequest, 1)]))
        #expect(try outbox.add([(.echoRequest([7]), 2), (.featuresRequest, 3)]) == false)
        let (bytes, close) = outbox.take { Array($0) }
        #expect(!close)
        let expected = try OFMessage.barrierRequest.encode(xid: 1) + OFMessage.echoRequest([7]).encode(xid: 2)
            + OFMessage.featuresRequest.encode(xid: 3)
        #expect(bytes == expected)
        #expect(outbox.take { $0.count }.0 == 0)
        #expect(try outbox.add([(.barrierRequest, 4)]), "after a take, the next addition asks for a new flush")
    }

    @Test("A message that cannot be encoded adds nothing of its batch; close-after-flush is taken once")
    func failedBatchLeavesQueue() throws {
        let outbox = OFOutbox()
        #expect(try outbox.add([(.barrierRequest, 1)]))
        #expect(throws: OFEncodeError.self) {
            try outbox.add([(.echoRequest([1]), 2), (.echoRequest([UInt8](repeating: 0, count: 70_000)), 3)])
        }
        #expect(try outbox.add([(.barrierReply, 4)], thenClose: true) == false)
        let (bytes, close) = outbox.take { Array($0) }
        #expect(bytes == (try OFMessage.barrierRequest.encode(xid: 1) + OFMessage.barrierReply.encode(xid: 4)))
        #expect(close)
        _ = try outbox.add([(.barrierRequest, 5)])
        #expect(outbox.take { _ in () }.close == false)
    }

    @Test("Bursts alternate between two buffers, kept from flush to flush unless a burst made one large")
    func storageKeptBetweenBursts() throws {
        let outbox = OFOutbox()
        let burst: [(OFMessage, UInt32)] = (0..<50).map { (.echoRequest([UInt8](repeating: 1, count: 100)), UInt32($0)) }
        var addresses: [UInt] = []
        for _ in 0..<4 {
            _ = try outbox.add(burst)
            let (address, count) = outbox.take { (UInt(bitPattern: $0.baseAddress), $0.count) }.0
            #expect(count == 50 * 108)
            addresses.append(address)
        }
        #expect(addresses[2] == addresses[0] && addresses[3] == addresses[1],
                "each burst is written into the buffer the burst before last was flushed from")
        #expect(outbox.storageCapacity >= 50 * 108)
        // More than a megabyte: handed over, then let go.
        for _ in 0..<20 {
            _ = try outbox.add((0..<10).map { (.echoRequest([UInt8](repeating: 2, count: 6_000)), UInt32($0)) })
        }
        let big = outbox.take { $0.count }.0
        #expect(big == 200 * 6_008)
        #expect(outbox.storageCapacity <= OFOutbox.keptCapacity, "a buffer past OFOutbox.keptCapacity is not kept")
        _ = try outbox.add(burst)
        #expect(outbox.take { Array($0) }.0 == burst.flatMap { try! $0.0.encode(xid: $0.1) })
    }
}
