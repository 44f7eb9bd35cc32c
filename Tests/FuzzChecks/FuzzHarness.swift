/// The fuzzing harnesses of `FuzzTesting/`, one per decoder that reads untrusted input. Each has a per-input check
/// that libFuzzer drives (`FuzzTesting/Sources/<harness>/`) and that the normal tests replay over the committed
/// corpus and regressions (`FuzzCorpusReplayTests`). A check returns normally for input the decoder accepts or
/// rejects with its typed error, and throws ``FuzzInvariantViolation`` when an invariant beyond "did not crash"
/// fails; the fuzzer turns that into a `fatalError` so libFuzzer saves the input.
public enum FuzzHarness: String, CaseIterable, Sendable {
    case protobufBinary = "FuzzProtobufBinary"
    case thriftBinary = "FuzzThriftBinary"
    case thriftCompact = "FuzzThriftCompact"
    case protoJSON = "FuzzProtoJSON"
    case thriftJSON = "FuzzThriftJSON"
    case protoIDL = "FuzzProtoIDL"
    case thriftIDL = "FuzzThriftIDL"
    case envelopes = "FuzzEnvelopes"
    case httpMapping = "FuzzHTTPMapping"
    case shmIPCEvents = "FuzzShmIPCEvents"

    /// Runs one input through the harness's decoder and checks its invariants.
    public func check(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        switch self {
        case .protobufBinary: try ProtobufBinaryCheck.run(input)
        case .thriftBinary: try ThriftWireCheck.run(input, encoding: .binary)
        case .thriftCompact: try ThriftWireCheck.run(input, encoding: .compact)
        case .protoJSON: try ProtoJSONCheck.run(input)
        case .thriftJSON: try ThriftJSONCheck.run(input)
        case .protoIDL: try ProtoIDLCheck.run(input)
        case .thriftIDL: try ThriftIDLCheck.run(input)
        case .envelopes: try EnvelopeCheck.run(input)
        case .httpMapping: try HTTPMappingCheck.run(input)
        case .shmIPCEvents: try ShmIPCEventCheck.run(input)
        }
    }

    /// The body of `LLVMFuzzerTestOneInput`: a violated invariant stops the process so libFuzzer keeps the input.
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
        let input = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        do {
            try check(input)
        } catch {
            fatalError("\(rawValue): \(error)")
        }
        return 0
    }
}

/// An invariant that held for no input the decoder accepted (round trip not stable, result not decodable...).
public struct FuzzInvariantViolation: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ description: String) { self.description = description }
}

/// Throws a violation unless `condition` holds.
func require(_ condition: Bool, _ description: @autoclosure () -> String) throws(FuzzInvariantViolation) {
    if !condition { throw FuzzInvariantViolation(description()) }
}

/// A short rendering of bytes for violation messages.
func hex(_ bytes: some Collection<UInt8>, limit: Int = 64) -> String {
    let shown = bytes.prefix(limit).map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
    return bytes.count > limit ? shown + "...(\(bytes.count) bytes)" : shown
}

/// Text for violation messages (JSON output is UTF-8).
func text(_ bytes: [UInt8], limit: Int = 300) -> String {
    let string = String(decoding: bytes.prefix(limit), as: UTF8.self)
    return bytes.count > limit ? string + "...(\(bytes.count) bytes)" : string
}

extension Array where Element == UInt8 {
    /// Splits a harness input into a selector byte (choosing a type, a protocol or options) and the rest.
    var selectorAndPayload: (selector: Int, payload: [UInt8]) {
        guard let first else { return (0, []) }
        return (Int(first), Array(dropFirst()))
    }
}
