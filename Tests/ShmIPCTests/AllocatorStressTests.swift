import Foundation
import Synchronization
import Testing

@testable import ShmIPC

/// The buffer allocator alone under many threads on a nearly empty free list, where frees complete out of
/// order (one free has moved the tail but not linked it yet while another links and counts). Every slice taken
/// is claimed in an owner table and tagged in its data; a second owner or a changed tag is a defect.
@Suite("Allocator under concurrent allocation and freeing", .timeLimit(.minutes(1)))
struct AllocatorStressTests {
    /// One claim per slice: 0 when free, else the owning thread's number + 1.
    final class OwnerTable: @unchecked Sendable {
        let owners: UnsafeMutablePointer<Atomic<Int>>
        let count: Int

        init(count: Int) {
            self.count = count
            owners = .allocate(capacity: count)
            for index in 0..<count { (owners + index).initialize(to: Atomic(0)) }
        }

        deinit {
            owners.deinitialize(count: count)
            owners.deallocate()
        }

        func claim(_ index: Int, by owner: Int) -> Bool {
            owners[index].compareExchange(expected: 0, desired: owner, ordering: .sequentiallyConsistent).exchanged
        }

        func release(_ index: Int) { owners[index].store(0, ordering: .sequentiallyConsistent) }
    }

    /// Counts what the threads saw.
    final class Tally: Sendable {
        let allocations = Atomic<Int>(0)
        let doubleOwners = Atomic<Int>(0)
        let corruptTags = Atomic<Int>(0)
    }

    struct Outcome {
        let tally: Tally
        let freeCounts: [Int]
        let sliceCount: Int
        let leakCounters: [(creator: Int32, mapper: Int32)]
    }

    /// Runs `threads` threads for at most `seconds`, each allocating, tagging, checking and freeing slices of
    /// a list that keeps only a few free. Half the threads use the creator's manager, half a second manager
    /// attached to the same region, as the peer process would.
    static func run(threads: Int, seconds: Double, iterations: Int) throws -> Outcome {
        let region = try SharedRegion.createMemfd(name: "/allocator-stress", count: 256 * 1024)
        let manager = try BufferManager.format(region: region, specs: [SliceListSpec(sliceSize: 236, percent: 100)])
        let managers = [manager, try BufferManager.attach(region: region)]
        let sliceCount = manager.lists[0].sliceCount
        let list = manager.lists[0]
        // Hold all but a few slices so the free list stays nearly empty.
        var held: [UInt32] = []
        while held.count < sliceCount - threads - 2, let slice = manager.allocate(atLeast: 1) { held.append(slice) }
        let owners = OwnerTable(count: sliceCount)
        let tally = Tally()
        let deadline = Date().addingTimeInterval(seconds)
        let group = DispatchGroup()
        for thread in 0..<threads {
            group.enter()
            let manager = managers[thread % managers.count]
            let worker = Thread {
                defer { group.leave() }
                let me = thread + 1
                for iteration in 0..<iterations {
                    if iteration & 255 == 0, Date() >= deadline { break }
                    guard let slice = manager.allocate(atLeast: 1) else { continue }
                    let index = (Int(slice) - list.dataOffset) / list.stride
                    guard owners.claim(index, by: me) else {
                        // Someone else owns it: leave it alone (freeing it would corrupt the list further).
                        tally.doubleOwners.add(1, ordering: .relaxed)
                        continue
                    }
                    tally.allocations.add(1, ordering: .relaxed)
                    let data = manager.dataPointer(ofSlice: slice)
                    let tag = UInt64(me) << 32 | UInt64(truncatingIfNeeded: iteration)
                    data.storeBytes(of: tag, as: UInt64.self)
                    // No yield here: the race needs a thread preempted between a free's tail swap and its link,
                    // which involuntary preemption of busy threads provides.
                    if data.load(as: UInt64.self) != tag { tally.corruptTags.add(1, ordering: .relaxed) }
                    owners.release(index)
                    manager.free(slice)
                }
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        group.wait()
        for slice in held { manager.free(slice) }
        return Outcome(
            tally: tally, freeCounts: manager.freeCounts(), sliceCount: sliceCount, leakCounters: manager.leakCounters())
    }

    @Test("8 threads on a nearly empty list: no slice ever has two owners, every slice comes back")
    func noDoubleOwners() throws {
        let outcome = try Self.run(threads: 8, seconds: 3, iterations: 400_000)
        let tally = outcome.tally
        let allocations = tally.allocations.load(ordering: .relaxed)
        let doubleOwners = tally.doubleOwners.load(ordering: .relaxed)
        let corruptTags = tally.corruptTags.load(ordering: .relaxed)
        #expect(doubleOwners == 0, "\(doubleOwners) slices were handed out while another thread owned them")
        #expect(corruptTags == 0, "\(corruptTags) tags were overwritten by a second owner")
        #expect(allocations > 10_000, "only \(allocations) allocations succeeded")
        #expect(
            outcome.freeCounts == [outcome.sliceCount],
            "free counts after the run: \(outcome.freeCounts) of \(outcome.sliceCount)")
        let sums = outcome.leakCounters.map { Int($0.creator) + Int($0.mapper) }
        #expect(sums == [0], "leak-check counters \(outcome.leakCounters) do not settle")
    }
}
