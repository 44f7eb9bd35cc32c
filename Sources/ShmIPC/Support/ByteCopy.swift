extension Array where Element == UInt8 {
    /// Appends raw bytes as one block copy (the generic path walks raw buffers byte by byte in debug builds).
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }
}
