import Testing
@testable import VSwitch

@Suite struct PacketBufferPoolTests {
    @Test func buffersComeBackOnlyWhenTheLastReferenceGoes() throws {
        let pool = PacketBufferPool(capacity: 3, bufferSize: 256)
        #expect(pool.available == 3)
        let a = try #require(pool.allocate())
        let b = try #require(pool.allocate())
        #expect(a != b)
        #expect(pool.available == 1)
        #expect(!pool.isShared(a))

        pool.retain(a)  // queued on a second port, say
        #expect(pool.isShared(a))
        pool.release(a)
        #expect(pool.available == 1, "one reference is left")
        #expect(!pool.isShared(a))
        pool.release(a)
        #expect(pool.available == 2)

        // The freed buffer is handed out again, with a fresh single reference.
        let c = try #require(pool.allocate())
        #expect(c == a)
        #expect(!pool.isShared(c))
        pool.release(b)
        pool.release(c)
        #expect(pool.available == 3)
    }

    @Test func anEmptyPoolSaysSoAndCounts() throws {
        let pool = PacketBufferPool(capacity: 2, bufferSize: 128)
        let taken = [pool.allocate(), pool.allocate()].compactMap { $0 }
        #expect(taken.count == 2)
        #expect(pool.allocate() == nil)
        #expect(pool.allocate() == nil)
        #expect(pool.exhausted == 2)
        for index in taken { pool.release(index) }
        #expect(pool.allocate() != nil)
        #expect(pool.exhausted == 2)
    }

    @Test func buffersDoNotOverlap() throws {
        let size = 512
        let pool = PacketBufferPool(capacity: 4, bufferSize: size)
        let indices = (0..<4).compactMap { _ in pool.allocate() }
        for (n, index) in indices.enumerated() {
            pool.base(index).initializeMemory(as: UInt8.self, repeating: UInt8(n + 1), count: size)
        }
        for (n, index) in indices.enumerated() {
            let bytes = UnsafeRawBufferPointer(start: pool.base(index), count: size)
            #expect(bytes.allSatisfy { $0 == UInt8(n + 1) }, "buffer \(index) was overwritten")
        }
        for index in indices { pool.release(index) }
    }

    /// A buffer released more often than it was taken would be handed out twice; the pool stops
    /// the process rather than let two frames share memory.
    @Test func releasingAFreeBufferTraps() async {
        await #expect(processExitsWith: .failure) {
            let pool = PacketBufferPool(capacity: 1, bufferSize: 64)
            let index = pool.allocate()!
            pool.release(index)
            pool.release(index)
        }
        await #expect(processExitsWith: .failure) {
            let pool = PacketBufferPool(capacity: 1, bufferSize: 64)
            let index = pool.allocate()!
            pool.release(index)
            pool.retain(index)  // a stale reference brought back to life
        }
        await #expect(processExitsWith: .failure) {
            let pool = PacketBufferPool(capacity: 2, bufferSize: 64)
            pool.release(7)  // never a buffer of this pool
        }
    }
}
