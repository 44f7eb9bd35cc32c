import Glibc
import Synchronization

/// The free lists in the region: pops take the head, frees append at the tail, both with atomics that the
/// peer process uses too (shmipc.md, "Buffer region").
extension BufferManager {
    /// How often a pop re-reads a head whose link is still being written before it gives up.
    static let popAttempts = 200

    func pop(listIndex: Int) -> UInt32? {
        let list = lists[listIndex]
        let header = base + list.headerOffset
        let freeCount = header.atomicInt32(at: BufferLayout.listFreeCountOffset)
        // Never hand out the last free slice: the free list's tail must stay linkable.
        if freeCount.pointee.wrappingAdd(-1, ordering: .sequentiallyConsistent).newValue <= 0 {
            freeCount.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
            return nil
        }
        let taken = popLocks[listIndex].mutex.withLock { _ in takeHead(of: list, header: header) }
        guard let slice = taken else {
            freeCount.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
            return nil
        }
        let pointer = base + slice
        pointer.storeUInt32(UInt32(list.sliceCapacity), at: BufferLayout.sliceCapacityOffset)
        pointer.storeUInt32(0, at: BufferLayout.sliceSizeOffset)
        pointer.storeUInt32(0, at: BufferLayout.sliceStartOffset)
        pointer.atomicUInt8(at: BufferLayout.sliceFlagsOffset).pointee.store(
            BufferLayout.inUseFlag, ordering: .relaxed)
        header.atomicInt32(at: counterOffset).pointee.wrappingAdd(-1, ordering: .relaxed)
        return UInt32(slice)
    }

    /// Moves the head to its successor and returns the old head's absolute offset. The head is taken only when
    /// its `hasNext` flag is set: a free that swapped the tail but has not linked it yet leaves a stale `next`
    /// there, and following it would hand one slice to two owners. Such a head is re-read (the link is a few
    /// instructions away) unless the list is down to its last slice; nil for a corrupt head or lasting contention.
    private func takeHead(of list: SliceList, header: UnsafeMutableRawPointer) -> Int? {
        let head = header.atomicUInt32(at: BufferLayout.listHeadOffset)
        let freeCount = header.atomicInt32(at: BufferLayout.listFreeCountOffset)
        for attempt in 0..<Self.popAttempts {
            let oldHead = head.pointee.load(ordering: .sequentiallyConsistent)
            guard let slice = list.absolute(relative: oldHead) else { return nil }
            let pointer = base + slice
            let flags = pointer.atomicUInt8(at: BufferLayout.sliceFlagsOffset).pointee.load(ordering: .acquiring)
            if flags & BufferLayout.hasNextFlag != 0 {
                let next = pointer.atomicUInt32(at: BufferLayout.sliceNextOffset).pointee.load(ordering: .acquiring)
                if head.pointee.compareExchange(expected: oldHead, desired: next, ordering: .sequentiallyConsistent)
                    .exchanged
                {
                    return slice
                }
            } else if freeCount.pointee.load(ordering: .sequentiallyConsistent) <= 1 {
                return nil
            } else if attempt & 31 == 31 {
                // The freeing thread may be preempted between its tail swap and its link: let it run.
                sched_yield()
            }
        }
        return nil
    }

    /// Returns one slice to its list. Offsets that are not slice boundaries are ignored.
    func free(_ offset: UInt32) {
        guard let listIndex = listIndex(ofSlice: offset) else { return }
        let list = lists[listIndex]
        let slice = Int(offset)
        let pointer = base + slice
        pointer.storeUInt32(0, at: BufferLayout.sliceSizeOffset)
        pointer.storeUInt32(0, at: BufferLayout.sliceStartOffset)
        pointer.atomicUInt8(at: BufferLayout.sliceFlagsOffset).pointee.store(0, ordering: .releasing)
        let header = base + list.headerOffset
        let tail = header.atomicUInt32(at: BufferLayout.listTailOffset)
        let newTail = UInt32(slice - list.dataOffset)
        while true {
            let oldTail = tail.pointee.load(ordering: .sequentiallyConsistent)
            guard tail.pointee.compareExchange(expected: oldTail, desired: newTail, ordering: .sequentiallyConsistent)
                .exchanged
            else { continue }
            if let previous = list.absolute(relative: oldTail) {
                // `next` first, then the flag that publishes it (a pop reads them in the other order).
                let previousPointer = base + previous
                previousPointer.atomicUInt32(at: BufferLayout.sliceNextOffset).pointee.store(
                    newTail, ordering: .releasing)
                let flags = previousPointer.atomicUInt8(at: BufferLayout.sliceFlagsOffset)
                flags.pointee.store(
                    flags.pointee.load(ordering: .relaxed) | BufferLayout.hasNextFlag, ordering: .releasing)
            }
            header.atomicInt32(at: BufferLayout.listFreeCountOffset).pointee.wrappingAdd(
                1, ordering: .sequentiallyConsistent)
            header.atomicInt32(at: counterOffset).pointee.wrappingAdd(1, ordering: .relaxed)
            return
        }
    }
}

/// One list's pop lock (a class, so that an array can hold the non-copyable mutex).
final class PopLock: Sendable {
    let mutex = Mutex<Void>(())
}
