import Synchronization

/// The allocator over the shared buffer region: lists of fixed-size slices whose free lists live in the
/// region itself, so both processes allocate from and free to them with atomics.
///
/// Every offset read from shared memory is validated before it is dereferenced: a hostile or crashed peer
/// can make allocations fail, never make us touch memory outside the mapping.
final class BufferManager: @unchecked Sendable {
    let region: SharedRegion
    let lists: [SliceList]
    /// List indices by ascending slice capacity.
    private let order: [Int]
    let totalSlices: Int
    let largestSliceCapacity: Int
    /// Where in each list header this process adds -1/+1 per pop/push: the creator's or the mapper's
    /// leak-check counter (shmipc.md, "Buffer region").
    let counterOffset: Int
    /// Serialises this process's pops per list. Frees stay lock-free; the lock only keeps two of our own
    /// threads from the head's ABA (one pop stalled between reading `next` and its swap while another pops,
    /// frees and re-links the same slice), which the shared layout has no tag to detect.
    let popLocks: [PopLock]

    var base: UnsafeMutableRawPointer { region.base }

    private init(region: SharedRegion, lists: [SliceList], counterOffset: Int) {
        self.region = region
        self.lists = lists
        self.counterOffset = counterOffset
        self.popLocks = lists.map { _ in PopLock() }
        self.order = lists.indices.sorted { lists[$0].sliceCapacity < lists[$1].sliceCapacity }
        self.totalSlices = lists.reduce(0) { $0 + $1.sliceCount }
        self.largestSliceCapacity = lists.map(\.sliceCapacity).max() ?? 0
    }

    /// Lays out an empty manager over a freshly created region (the client's job).
    static func format(region: SharedRegion, specs: [SliceListSpec]) throws(ShmIPCError) -> BufferManager {
        guard !specs.isEmpty, specs.count <= BufferLayout.maximumLists else {
            throw ShmIPCError(.invalidArgument, "between 1 and \(BufferLayout.maximumLists) slice lists are needed")
        }
        guard specs.reduce(0, { $0 + $1.percent }) <= 100, specs.allSatisfy({ $0.percent > 0 && $0.sliceSize > 0 })
        else {
            throw ShmIPCError(.invalidArgument, "slice list percentages must be positive and add up to at most 100")
        }
        let counts = BufferLayout.sliceCounts(regionSize: region.count, specs: specs)
        guard counts.allSatisfy({ $0 >= 1 }) else {
            throw ShmIPCError(.invalidArgument, "a buffer region of \(region.count) bytes leaves a slice list empty")
        }
        let base = region.base
        var lists: [SliceList] = []
        var offset = BufferLayout.managerHeaderSize
        for (spec, count) in zip(specs, counts) {
            let list = SliceList(headerOffset: offset, sliceCount: count, sliceCapacity: spec.sliceSize)
            let header = base + offset
            header.storeUInt32(UInt32(count), at: BufferLayout.listFreeCountOffset)
            header.storeUInt32(UInt32(count), at: BufferLayout.listCapacityOffset)
            header.storeUInt32(0, at: BufferLayout.listHeadOffset)
            header.storeUInt32(UInt32((count - 1) * list.stride), at: BufferLayout.listTailOffset)
            header.storeUInt32(UInt32(spec.sliceSize), at: BufferLayout.listSliceCapacityOffset)
            header.storeUInt32(0, at: BufferLayout.listCreatorCounterOffset)
            header.storeUInt32(0, at: BufferLayout.listMapperCounterOffset)
            header.storeUInt32(0, at: BufferLayout.listMapperCounterOffset + 4)
            header.storeUInt32(0, at: BufferLayout.listMapperCounterOffset + 8)
            for index in 0..<count {
                let slice = base + list.dataOffset + index * list.stride
                slice.storeUInt32(UInt32(spec.sliceSize), at: BufferLayout.sliceCapacityOffset)
                slice.storeUInt32(0, at: BufferLayout.sliceSizeOffset)
                slice.storeUInt32(0, at: BufferLayout.sliceStartOffset)
                slice.storeUInt32(UInt32((index + 1) * list.stride), at: BufferLayout.sliceNextOffset)
                let flags: UInt8 = index + 1 < count ? BufferLayout.hasNextFlag : 0
                slice.storeBytes(of: flags, toByteOffset: BufferLayout.sliceFlagsOffset, as: UInt8.self)
            }
            lists.append(list)
            offset = list.dataEnd
        }
        base.storeBytes(of: UInt16(specs.count), toByteOffset: 0, as: UInt16.self)
        base.storeBytes(of: UInt16(0), toByteOffset: 2, as: UInt16.self)
        base.storeUInt32(UInt32(offset - BufferLayout.managerHeaderSize), at: 4)
        return BufferManager(region: region, lists: lists, counterOffset: BufferLayout.listCreatorCounterOffset)
    }

    /// Maps the manager a peer laid out, validating every list against the region's real size.
    static func attach(region: SharedRegion) throws(ShmIPCError) -> BufferManager {
        let base = region.base
        let size = region.count
        guard size >= BufferLayout.managerHeaderSize + BufferLayout.listHeaderSize else {
            throw ShmIPCError(.badMapping, "buffer region of \(size) bytes is too small for a manager header")
        }
        let listCount = Int(base.loadUnaligned(fromByteOffset: 0, as: UInt16.self))
        let used = Int(base.loadUInt32(at: 4))
        guard listCount >= 1, listCount <= BufferLayout.maximumLists else {
            throw ShmIPCError(
                .badMapping,
                "buffer region declares \(listCount) slice lists (1...\(BufferLayout.maximumLists) allowed)")
        }
        guard BufferLayout.managerHeaderSize + used <= size else {
            throw ShmIPCError(.badMapping, "buffer region declares \(used) used bytes but is \(size) bytes long")
        }
        var lists: [SliceList] = []
        var offset = BufferLayout.managerHeaderSize
        for index in 0..<listCount {
            guard offset + BufferLayout.listHeaderSize <= size else {
                throw ShmIPCError(.badMapping, "slice list \(index) header at \(offset) lies outside the region")
            }
            let header = base + offset
            let count = Int(header.loadUInt32(at: BufferLayout.listCapacityOffset))
            let capacity = Int(header.loadUInt32(at: BufferLayout.listSliceCapacityOffset))
            guard count >= 1, capacity >= 1 else {
                throw ShmIPCError(.badMapping, "slice list \(index) has \(count) slices of \(capacity) bytes")
            }
            let list = SliceList(headerOffset: offset, sliceCount: count, sliceCapacity: capacity)
            guard list.dataEnd <= size else {
                throw ShmIPCError(
                    .badMapping, "slice list \(index) ends at \(list.dataEnd), past the region's \(size) bytes")
            }
            lists.append(list)
            offset = list.dataEnd
        }
        return BufferManager(region: region, lists: lists, counterOffset: BufferLayout.listMapperCounterOffset)
    }

    // MARK: Allocation

    /// Takes a free slice, preferring the smallest list whose slices hold `bytes`; when none of those has
    /// one, the largest slice available. Returns the slice's absolute offset, or nil when memory is exhausted.
    func allocate(atLeast bytes: Int) -> UInt32? {
        for index in order where lists[index].sliceCapacity >= bytes {
            if let slice = pop(listIndex: index) { return slice }
        }
        for index in order.reversed() where lists[index].sliceCapacity < bytes {
            if let slice = pop(listIndex: index) { return slice }
        }
        return nil
    }

    /// Takes a free slice from one list only if it has capacity for `bytes`, smallest fit first.
    func allocateContiguous(_ bytes: Int) -> UInt32? {
        for index in order where lists[index].sliceCapacity >= bytes {
            if let slice = pop(listIndex: index) { return slice }
        }
        return nil
    }

    /// Frees a whole message chain starting at `offset`, bounded by the number of slices in the region.
    func freeChain(_ offset: UInt32) {
        var current: UInt32? = offset
        var hops = 0
        while let slice = current, hops <= totalSlices, let view = try? sliceView(slice) {
            current = view.hasNext ? view.next : nil
            free(slice)
            hops += 1
        }
    }

    /// Free slices per list, for diagnostics and tests.
    func freeCounts() -> [Int] {
        lists.map { list in
            Int(
                (base + list.headerOffset).atomicInt32(at: BufferLayout.listFreeCountOffset).pointee.load(
                    ordering: .relaxed))
        }
    }

    /// Each list's (creator, mapper) leak-check counters; they sum to 0 when no slice of the list is out.
    func leakCounters() -> [(creator: Int32, mapper: Int32)] {
        lists.map { list in
            let header = base + list.headerOffset
            return (
                header.atomicInt32(at: BufferLayout.listCreatorCounterOffset).pointee.load(ordering: .relaxed),
                header.atomicInt32(at: BufferLayout.listMapperCounterOffset).pointee.load(ordering: .relaxed)
            )
        }
    }

    // MARK: Slices

    /// The list holding the slice that starts at `offset`, or nil if `offset` is not a slice boundary.
    @inline(__always)
    func listIndex(ofSlice offset: UInt32) -> Int? {
        let value = Int(offset)
        for index in lists.indices where lists[index].contains(slice: value) { return index }
        return nil
    }

    /// A validated view of one slice header of a message chain.
    struct SliceView {
        let offset: UInt32
        let dataStart: Int
        let size: Int
        let capacity: Int
        let hasNext: Bool
        let next: UInt32
    }

    /// Reads and validates the header of the slice at `offset` (peer-written fields included).
    func sliceView(_ offset: UInt32) throws(ShmIPCError) -> SliceView {
        guard let listIndex = listIndex(ofSlice: offset) else {
            throw ShmIPCError(.badOffset, "offset \(offset) is not the start of a slice in the buffer region")
        }
        let capacity = lists[listIndex].sliceCapacity
        let pointer = base + Int(offset)
        let size = Int(pointer.loadUInt32(at: BufferLayout.sliceSizeOffset))
        let start = Int(pointer.loadUInt32(at: BufferLayout.sliceStartOffset))
        guard start <= capacity, size <= capacity - start else {
            throw ShmIPCError(.badOffset, "slice at \(offset) claims \(size) bytes from \(start) but holds \(capacity)")
        }
        let flags = pointer.load(fromByteOffset: BufferLayout.sliceFlagsOffset, as: UInt8.self)
        return SliceView(
            offset: offset,
            dataStart: Int(offset) + BufferLayout.sliceHeaderSize + start,
            size: size,
            capacity: capacity,
            hasNext: flags & BufferLayout.hasNextFlag != 0,
            next: pointer.loadUInt32(at: BufferLayout.sliceNextOffset)
        )
    }

    /// The data area of our own slice at `offset` (already validated by allocation).
    @inline(__always)
    func dataPointer(ofSlice offset: UInt32) -> UnsafeMutableRawPointer {
        base + Int(offset) + BufferLayout.sliceHeaderSize
    }

    @inline(__always)
    func pointer(at offset: Int) -> UnsafeMutableRawPointer { base + offset }

    /// Capacity of our own slice at `offset`.
    func capacity(ofSlice offset: UInt32) -> Int {
        listIndex(ofSlice: offset).map { lists[$0].sliceCapacity } ?? 0
    }

    /// Records the number of bytes written into our own slice.
    func setSize(_ size: Int, ofSlice offset: UInt32) {
        (base + Int(offset)).storeUInt32(UInt32(size), at: BufferLayout.sliceSizeOffset)
    }

    /// Links our slice `offset` to `next` (absolute) in a message chain.
    func link(_ offset: UInt32, to next: UInt32) {
        let pointer = base + Int(offset)
        pointer.storeUInt32(next, at: BufferLayout.sliceNextOffset)
        let flags = pointer.atomicUInt8(at: BufferLayout.sliceFlagsOffset)
        flags.pointee.store(flags.pointee.load(ordering: .relaxed) | BufferLayout.hasNextFlag, ordering: .releasing)
    }
}
