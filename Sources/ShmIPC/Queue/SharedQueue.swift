import Glibc
import Synchronization

/// A single-producer-process, single-consumer ring of ``QueueElement``s in shared memory.
///
/// `head` and `tail` only grow; the slot is `index % capacity`. Producers inside our process are serialised
/// by a mutex; the consumer is the session's receive thread only.
final class SharedQueue: @unchecked Sendable {
    private let region: SharedRegion
    private let header: UnsafeMutableRawPointer
    let capacity: Int
    private let producerLock = Mutex<Void>(())

    private init(region: SharedRegion, offset: Int, capacity: Int) {
        self.region = region
        self.header = region.base + offset
        self.capacity = capacity
    }

    private var head: UnsafeMutablePointer<Atomic<Int64>> { header.atomicInt64(at: QueueLayout.headOffset) }
    private var tail: UnsafeMutablePointer<Atomic<Int64>> { header.atomicInt64(at: QueueLayout.tailOffset) }
    private var workingFlag: UnsafeMutablePointer<Atomic<UInt32>> {
        header.atomicUInt32(at: QueueLayout.workingFlagOffset)
    }

    /// Lays out both queues of a freshly created region; returns (client->server, server->client).
    static func format(region: SharedRegion, capacity: Int) throws(ShmIPCError) -> (SharedQueue, SharedQueue) {
        guard capacity >= 1, capacity <= Int(UInt32.max / 16),
            QueueLayout.regionSize(capacity: capacity) <= region.count
        else {
            throw ShmIPCError(
                .invalidArgument, "queue capacity \(capacity) does not fit a region of \(region.count) bytes")
        }
        let second = QueueLayout.queueSize(capacity: capacity)
        for offset in [0, second] {
            let header = region.base + offset
            header.storeUInt32(UInt32(capacity), at: QueueLayout.capacityOffset)
            header.storeBytes(of: Int64(0), toByteOffset: QueueLayout.headOffset, as: Int64.self)
            header.storeBytes(of: Int64(0), toByteOffset: QueueLayout.tailOffset, as: Int64.self)
            header.storeUInt32(0, at: QueueLayout.workingFlagOffset)
        }
        return (
            SharedQueue(region: region, offset: 0, capacity: capacity),
            SharedQueue(region: region, offset: second, capacity: capacity)
        )
    }

    /// Maps both queues of a region a peer laid out, validating the capacities against the region's size.
    static func attach(region: SharedRegion) throws(ShmIPCError) -> (SharedQueue, SharedQueue) {
        guard region.count >= QueueLayout.regionSize(capacity: 1) else {
            throw ShmIPCError(.badMapping, "queue region of \(region.count) bytes is too small")
        }
        let capacity = Int(region.base.loadUInt32(at: QueueLayout.capacityOffset))
        guard capacity >= 1, QueueLayout.regionSize(capacity: capacity) <= region.count else {
            throw ShmIPCError(.badMapping, "queue capacity \(capacity) does not fit a region of \(region.count) bytes")
        }
        let second = QueueLayout.queueSize(capacity: capacity)
        let secondCapacity = Int(region.base.loadUInt32(at: second + QueueLayout.capacityOffset))
        guard secondCapacity == capacity else {
            throw ShmIPCError(.badMapping, "the two queues declare capacities \(capacity) and \(secondCapacity)")
        }
        return (
            SharedQueue(region: region, offset: 0, capacity: capacity),
            SharedQueue(region: region, offset: second, capacity: capacity)
        )
    }

    /// Number of elements waiting (tail - head), as the consumer sees it.
    var count: Int64 { tail.pointee.load(ordering: .acquiring) &- head.pointee.load(ordering: .acquiring) }

    /// Appends `element`; false when the queue is full.
    func put(_ element: QueueElement) -> Bool {
        producerLock.withLock { _ in
            let currentTail = tail.pointee.load(ordering: .acquiring)
            let currentHead = head.pointee.load(ordering: .acquiring)
            guard currentTail &- currentHead < Int64(capacity), currentTail >= 0 else { return false }
            let slot = header + QueueLayout.headerSize + Int(currentTail % Int64(capacity)) * QueueElement.size
            slot.storeUInt32(element.streamID, at: 0)
            slot.storeUInt32(element.offsetInBuffer, at: 4)
            slot.storeUInt32(element.status, at: 8)
            tail.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
            return true
        }
    }

    /// Takes the oldest element; nil when empty. Throws when the peer left head/tail in an impossible state.
    func pop() throws(ShmIPCError) -> QueueElement? {
        guard let element = try peek() else { return nil }
        advance()
        return element
    }

    /// Reads the oldest element without taking it; nil when empty. Throws when the peer left head/tail in an
    /// impossible state.
    func peek() throws(ShmIPCError) -> QueueElement? {
        let currentHead = head.pointee.load(ordering: .acquiring)
        let currentTail = tail.pointee.load(ordering: .acquiring)
        if currentHead == currentTail { return nil }
        guard currentHead >= 0, currentTail > currentHead, currentTail &- currentHead <= Int64(capacity) else {
            throw ShmIPCError(
                .badOffset, "receive queue is corrupt: head \(currentHead), tail \(currentTail), capacity \(capacity)")
        }
        let slot = header + QueueLayout.headerSize + Int(currentHead % Int64(capacity)) * QueueElement.size
        let element = QueueElement(
            streamID: slot.loadUInt32(at: 0),
            offsetInBuffer: slot.loadUInt32(at: 4),
            status: slot.loadUInt32(at: 8)
        )
        return element
    }

    /// Takes the element ``peek()`` returned (the consumer's side only).
    func advance() {
        head.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    /// The producer's side of the wake-up protocol: true if the consumer was idle and must be woken.
    func markWorking() -> Bool {
        workingFlag.pointee.compareExchange(expected: 0, desired: 1, ordering: .sequentiallyConsistent).exchanged
    }

    /// The consumer's side: declare idle; false (and busy again) if elements arrived meanwhile.
    func markNotWorking() -> Bool {
        workingFlag.pointee.store(0, ordering: .sequentiallyConsistent)
        if count == 0 { return true }
        workingFlag.pointee.store(1, ordering: .sequentiallyConsistent)
        return false
    }

    /// The consumer's side: watches for an element until `deadline` (monotonic nanoseconds), without changing
    /// the workingFlag. Yields the processor between looks once the first microsecond or so has passed, so a
    /// waiting receiver does not starve the peer when both share a core.
    func waitForElements(until deadline: UInt64) -> Bool {
        var looks = 0
        while true {
            if tail.pointee.load(ordering: .acquiring) != head.pointee.load(ordering: .relaxed) { return true }
            looks += 1
            if looks & 15 == 0 {
                if monotonicNanoseconds() >= deadline { return false }
                if looks >= 256 { sched_yield() }
            }
        }
    }

    var isWorking: Bool { workingFlag.pointee.load(ordering: .sequentiallyConsistent) != 0 }
}
