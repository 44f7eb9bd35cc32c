/// Where one slice list lives in the buffer region (all offsets absolute within the region).
struct SliceList: Sendable, Equatable {
    let headerOffset: Int
    let sliceCount: Int
    let sliceCapacity: Int

    var dataOffset: Int { headerOffset + BufferLayout.listHeaderSize }
    var stride: Int { sliceCapacity + BufferLayout.sliceHeaderSize }
    var dataEnd: Int { dataOffset + sliceCount * stride }

    /// The absolute offset of the slice at list-relative offset `relative`, if that is a slice boundary.
    @inline(__always)
    func absolute(relative: UInt32) -> Int? {
        let value = Int(relative)
        guard value % stride == 0, value / stride < sliceCount else { return nil }
        return dataOffset + value
    }

    /// Whether `absolute` is the start of one of this list's slices.
    @inline(__always)
    func contains(slice absolute: Int) -> Bool {
        absolute >= dataOffset && absolute < dataEnd && (absolute - dataOffset) % stride == 0
    }
}

/// Byte layout constants of the buffer region (shmipc.md, "Buffer region").
enum BufferLayout {
    static let managerHeaderSize = 8
    static let listHeaderSize = 36
    static let sliceHeaderSize = 20
    static let maximumLists = 64

    // Slice header fields.
    static let sliceCapacityOffset = 0
    static let sliceSizeOffset = 4
    static let sliceStartOffset = 8
    static let sliceNextOffset = 12
    static let sliceFlagsOffset = 16
    static let hasNextFlag: UInt8 = 1
    static let inUseFlag: UInt8 = 2

    // List header fields.
    static let listFreeCountOffset = 0
    static let listCapacityOffset = 4
    static let listHeadOffset = 8
    static let listTailOffset = 12
    static let listSliceCapacityOffset = 16
    /// Leak-check counters: the region's creator adds -1/+1 per pop/push at 20, the mapper at 24.
    static let listCreatorCounterOffset = 20
    static let listMapperCounterOffset = 24

    /// Slices per list as the deployed implementation computes them.
    static func sliceCounts(regionSize: Int, specs: [SliceListSpec]) -> [Int] {
        let capacity = regionSize - managerHeaderSize - listHeaderSize * specs.count
        return specs.map { spec in
            guard capacity > 0 else { return 0 }
            return (capacity * spec.percent / 100) / (spec.sliceSize + sliceHeaderSize)
        }
    }
}
