extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with a typed `CodecError` throw, so hot paths keep typed throws end to end.
    @inline(__always)
    package func withCodecBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(CodecError) -> Result
    ) throws(CodecError) -> Result {
        let outcome: Swift.Result<Result, CodecError> = withUnsafeBytes { buffer in
            do throws(CodecError) {
                return .success(try body(buffer))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
