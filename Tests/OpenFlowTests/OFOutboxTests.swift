import OpenFlow
import Testing

@Suite("OFOutbox")
struct OFOutboxTests {
    @Test("The first addition asks for a flush; later ones ride on it until the queue is taken")
    func oneFlushPerBurst() throws {
        let outbox = OFOutbox()
        #expect(try outbox.add([(.barrierRequest, 1)]))
        #expect(try outbox.add([(.echoRequest([7]), 2), (.featuresRequest, 3)]) == false)
        let (bytes, close) = outbox.take()
        #expect(!close)
        let expected = try OFMessage.barrierRequest.encode(xid: 1) + OFMessage.echoRequest([7]).encode(xid: 2)
            + OFMessage.featuresRequest.encode(xid: 3)
        #expect(bytes == expected)
        #expect(outbox.take().bytes.isEmpty)
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
        let (bytes, close) = outbox.take()
        #expect(bytes == (try OFMessage.barrierRequest.encode(xid: 1) + OFMessage.barrierReply.encode(xid: 4)))
        #expect(close)
        _ = try outbox.add([(.barrierRequest, 5)])
        #expect(outbox.take().close == false)
    }
}
