/// One list of equally sized slices in the buffer region: the slice capacity in bytes and the share of the
/// region it gets, in percent.
public struct SliceListSpec: Sendable, Hashable {
    /// Usable bytes per slice (the 20-byte slice header comes on top).
    public var sliceSize: Int
    /// Percentage of the region given to this list.
    public var percent: Int

    public init(sliceSize: Int, percent: Int) {
        self.sliceSize = sliceSize
        self.percent = percent
    }

    /// The deployed defaults: 8172 B at 50 %, 32748 B at 30 %, 131052 B at 20 %.
    public static let defaults: [SliceListSpec] = [
        SliceListSpec(sliceSize: 8172, percent: 50),
        SliceListSpec(sliceSize: 32748, percent: 30),
        SliceListSpec(sliceSize: 131052, percent: 20),
    ]
}
