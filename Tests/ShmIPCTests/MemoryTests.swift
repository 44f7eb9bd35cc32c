import Glibc
import Testing

@testable import ShmIPC

@Suite("Buffer manager and queues")
struct MemoryTests {
    static func region(_ size: Int) throws -> SharedRegion {
        try SharedRegion.createMemfd(name: "/unit", count: size)
    }

    @Test("default slice counts are 2047, 307 and 51")
    func defaultCounts() {
        #expect(BufferLayout.sliceCounts(regionSize: 32 << 20, specs: SliceListSpec.defaults) == [2047, 307, 51])
    }

    @Test("format writes the specified headers, attach reads them back")
    func formatAndAttach() throws {
        let region = try Self.region(32 << 20)
        let manager = try BufferManager.format(region: region, specs: SliceListSpec.defaults)
        let base = region.base
        #expect(base.load(as: UInt16.self) == 3)
        var offset = 8
        for (count, size) in [(2047, 8172), (307, 32748), (51, 131052)] {
            #expect(base.loadUInt32(at: offset) == UInt32(count))  // free count
            #expect(base.loadUInt32(at: offset + 4) == UInt32(count))  // cap
            #expect(base.loadUInt32(at: offset + 8) == 0)  // head
            #expect(base.loadUInt32(at: offset + 12) == UInt32((count - 1) * (size + 20)))  // tail
            #expect(base.loadUInt32(at: offset + 16) == UInt32(size))
            #expect(base.loadUInt32(at: offset + 36) == UInt32(size))  // first slice's cap
            #expect(base.loadUInt32(at: offset + 36 + 12) == UInt32(size + 20))  // its next (relative)
            offset += 36 + count * (size + 20)
        }
        #expect(base.loadUInt32(at: 4) == UInt32(offset - 8))
        let attached = try BufferManager.attach(region: region)
        #expect(attached.lists == manager.lists)
    }

    @Test("allocation never hands out the last free slice; freeing relinks")
    func allocateAndFree() throws {
        let region = try Self.region(64 * 1024)
        let manager = try BufferManager.format(region: region, specs: [SliceListSpec(sliceSize: 1004, percent: 100)])
        let count = manager.lists[0].sliceCount
        var taken: [UInt32] = []
        while let slice = manager.allocate(atLeast: 10) { taken.append(slice) }
        #expect(taken.count == count - 1)
        #expect(Set(taken).count == taken.count)
        #expect(manager.freeCounts() == [1])
        for slice in taken { manager.free(slice) }
        #expect(manager.freeCounts() == [count])
        var again = 0
        while manager.allocate(atLeast: 10) != nil { again += 1 }
        #expect(again == count - 1)
    }

    @Test("pops and pushes move the creator's counter @20 and the mapper's @24; they settle at 0")
    func leakCounters() throws {
        let region = try Self.region(64 * 1024)
        let creator = try BufferManager.format(region: region, specs: [SliceListSpec(sliceSize: 1004, percent: 100)])
        let mapper = try BufferManager.attach(region: region)
        let header = region.base + 8
        let taken = try (0..<3).map { _ in try #require(creator.allocate(atLeast: 1)) }
        #expect(header.loadUInt32(at: 20) == UInt32(bitPattern: -3))
        #expect(header.loadUInt32(at: 24) == 0)
        for slice in taken { mapper.free(slice) }
        #expect(header.loadUInt32(at: 24) == 3)
        let back = try #require(mapper.allocate(atLeast: 1))
        creator.free(back)
        #expect(creator.leakCounters().map { Int($0.creator) + Int($0.mapper) } == [0])
        #expect(mapper.leakCounters()[0].creator == -2 && mapper.leakCounters()[0].mapper == 2)
    }

    @Test("a head whose link is not written yet is not taken: its stale next is never followed")
    func unlinkedHead() throws {
        let region = try Self.region(64 * 1024)
        let manager = try BufferManager.format(region: region, specs: [SliceListSpec(sliceSize: 1004, percent: 100)])
        let list = manager.lists[0]
        // Take every slice but the last, then give two back: the list is [last, a, b].
        var taken: [UInt32] = []
        while let slice = manager.allocate(atLeast: 1) { taken.append(slice) }
        let (a, b) = (taken[0], taken[1])
        manager.free(a)
        manager.free(b)
        // Simulate a free of `a` that swapped the tail but has not linked yet: clear the last slice's hasNext
        // and point its stale next at `b` (a slice another owner may hold).
        let last = list.dataOffset + (list.sliceCount - 1) * list.stride
        region.base.storeBytes(of: UInt8(0), toByteOffset: last + 16, as: UInt8.self)
        region.base.storeUInt32(UInt32(Int(b) - list.dataOffset), at: last + 12)
        #expect(manager.allocate(atLeast: 1) == nil, "the unlinked head must not be taken")
        #expect(manager.freeCounts() == [3])
        #expect(region.base.loadUInt32(at: 8 + 8) == UInt32(last - list.dataOffset), "the head did not move")
    }

    @Test("a larger request takes the smallest fitting list, then the largest available")
    func listChoice() throws {
        let region = try Self.region(1 << 20)
        let manager = try BufferManager.format(
            region: region,
            specs: [SliceListSpec(sliceSize: 1000, percent: 50), SliceListSpec(sliceSize: 4000, percent: 50)])
        let small = try #require(manager.allocate(atLeast: 10))
        let large = try #require(manager.allocate(atLeast: 2000))
        let huge = try #require(manager.allocate(atLeast: 100_000))
        #expect(manager.capacity(ofSlice: small) == 1000)
        #expect(manager.capacity(ofSlice: large) == 4000)
        #expect(manager.capacity(ofSlice: huge) == 4000)
    }

    @Test("peer-written slice headers are validated")
    func sliceValidation() throws {
        let region = try Self.region(64 * 1024)
        let manager = try BufferManager.format(region: region, specs: [SliceListSpec(sliceSize: 1004, percent: 100)])
        let slice = try #require(manager.allocate(atLeast: 1))
        #expect(throws: ShmIPCError.self) { try manager.sliceView(slice + 4) }
        #expect(throws: ShmIPCError.self) { try manager.sliceView(0x7FFF_FFF0) }
        region.base.storeUInt32(2000, at: Int(slice) + 4)  // size beyond the capacity
        #expect(throws: ShmIPCError.self) { try manager.sliceView(slice) }
        region.base.storeUInt32(10, at: Int(slice) + 4)
        region.base.storeUInt32(1000, at: Int(slice) + 8)  // start + size beyond the capacity
        #expect(throws: ShmIPCError.self) { try manager.sliceView(slice) }
    }

    @Test("a corrupt free-list head makes allocation fail, not crash")
    func corruptHead() throws {
        let region = try Self.region(64 * 1024)
        let manager = try BufferManager.format(region: region, specs: [SliceListSpec(sliceSize: 1004, percent: 100)])
        region.base.storeUInt32(0xFFFF_FF00, at: 8 + 8)
        #expect(manager.allocate(atLeast: 1) == nil)
        #expect(manager.freeCounts() == [manager.lists[0].sliceCount])
    }

    @Test("attach rejects impossible layouts")
    func attachRejects() throws {
        let region = try Self.region(4096)
        region.base.storeBytes(of: UInt16(1), toByteOffset: 0, as: UInt16.self)
        region.base.storeUInt32(100, at: 4)
        region.base.storeUInt32(1000, at: 8 + 4)  // 1000 slices
        region.base.storeUInt32(1000, at: 8 + 16)  // of 1000 bytes: far past 4096
        #expect(throws: ShmIPCError.self) { try BufferManager.attach(region: region) }
        region.base.storeBytes(of: UInt16(0), toByteOffset: 0, as: UInt16.self)
        #expect(throws: ShmIPCError.self) { try BufferManager.attach(region: region) }
    }

    @Test("queue header layout, put/pop, full, wake-up flag")
    func queue() throws {
        let region = try Self.region(QueueLayout.regionSize(capacity: 4))
        let (first, second) = try SharedQueue.format(region: region, capacity: 4)
        #if arch(x86_64)
            #expect(QueueLayout.headOffset == 4 && QueueLayout.tailOffset == 12 && QueueLayout.workingFlagOffset == 20)
        #endif
        #expect(region.base.loadUInt32(at: 0) == 4)
        #expect(region.base.loadUInt32(at: 24 + 48) == 4)
        for index in 0..<4 { #expect(first.put(QueueElement(streamID: UInt32(index), offsetInBuffer: 7, status: 0))) }
        #expect(!first.put(QueueElement(streamID: 9, offsetInBuffer: 0, status: 0)))
        #expect(region.base.loadUnaligned(fromByteOffset: QueueLayout.tailOffset, as: Int64.self) == 4)
        #expect(region.base.loadUInt32(at: 24 + 12) == 1)  // second element's stream id
        #expect(try first.pop() == QueueElement(streamID: 0, offsetInBuffer: 7, status: 0))
        #expect(first.put(QueueElement(streamID: 4, offsetInBuffer: 7, status: 1)))
        var ids: [UInt32] = []
        while let element = try first.pop() { ids.append(element.streamID) }
        #expect(ids == [1, 2, 3, 4])
        #expect(try second.pop() == nil)
        #expect(first.markWorking())
        #expect(!first.markWorking())
        #expect(first.markNotWorking())
        #expect(first.put(QueueElement(streamID: 5, offsetInBuffer: 0, status: 0)))
        #expect(!first.markNotWorking())  // an element arrived: the consumer stays busy
        #expect(first.isWorking)
    }

    @Test("a queue whose head and tail are impossible is reported, not trusted")
    func corruptQueue() throws {
        let region = try Self.region(QueueLayout.regionSize(capacity: 4))
        let (queue, _) = try SharedQueue.format(region: region, capacity: 4)
        region.base.storeBytes(of: Int64(100), toByteOffset: QueueLayout.tailOffset, as: Int64.self)
        #expect(throws: ShmIPCError.self) { try queue.pop() }
        region.base.storeUInt32(1_000_000, at: 0)
        #expect(throws: ShmIPCError.self) { try SharedQueue.attach(region: region) }
    }
}
