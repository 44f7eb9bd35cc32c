import Synchronization

/// Views of integers in shared memory as `Atomic` values.
///
/// The x86-64 queue header places 8-byte atomics at offsets 4 and 12 (unaligned, as the deployed
/// implementation does); x86-64 lock-prefixed instructions accept that as long as a value does not
/// straddle a cache line, which the protocol's layout guarantees for the header.
extension UnsafeMutableRawPointer {
    @inline(__always)
    func atomicUInt32(at offset: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        (self + offset).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    @inline(__always)
    func atomicUInt8(at offset: Int) -> UnsafeMutablePointer<Atomic<UInt8>> {
        (self + offset).assumingMemoryBound(to: Atomic<UInt8>.self)
    }

    @inline(__always)
    func atomicInt32(at offset: Int) -> UnsafeMutablePointer<Atomic<Int32>> {
        (self + offset).assumingMemoryBound(to: Atomic<Int32>.self)
    }

    @inline(__always)
    func atomicInt64(at offset: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        (self + offset).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    /// Native-endian plain load; used for fields another process wrote before an acquiring atomic.
    @inline(__always)
    func loadUInt32(at offset: Int) -> UInt32 { loadUnaligned(fromByteOffset: offset, as: UInt32.self) }

    @inline(__always)
    func storeUInt32(_ value: UInt32, at offset: Int) { storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
}
