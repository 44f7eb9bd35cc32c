/// Entry points for callers in other modules (HTTPMapping's reply mapping).
///
/// A generic method called from another module runs unspecialized there (its body is not visible, so every read
/// goes through the protocol's witness table). These take any reader, but hand the two concrete readers to the
/// generic methods from here, where their bodies are specialized for them: only this check runs unspecialized.
extension ThriftJSONEncoder {
    /// ``value(_:jsConv:_:depth:)``, specialized for the binary and compact readers.
    package mutating func valueFromAnyModule<Reader: ThriftReading>(
        _ type: ThriftType, jsConv: Bool, _ reader: inout Reader, depth: Int
    ) throws(CodecError) {
        if Reader.self == ThriftBinaryReader.self {
            try withRebound(&reader, to: ThriftBinaryReader.self) { (encoder, concrete) throws(CodecError) in
                try encoder.value(type, jsConv: jsConv, &concrete, depth: depth)
            }
        } else if Reader.self == ThriftCompactReader.self {
            try withRebound(&reader, to: ThriftCompactReader.self) { (encoder, concrete) throws(CodecError) in
                try encoder.value(type, jsConv: jsConv, &concrete, depth: depth)
            }
        } else {
            try value(type, jsConv: jsConv, &reader, depth: depth)
        }
    }

    /// ``structValue(_:_:depth:lastOccurrence:)``, specialized for the binary and compact readers.
    package mutating func structValueFromAnyModule<Reader: ThriftReading>(
        _ type: ThriftStructDescriptor, _ reader: inout Reader, depth: Int
    ) throws(CodecError) {
        if Reader.self == ThriftBinaryReader.self {
            try withRebound(&reader, to: ThriftBinaryReader.self) { (encoder, concrete) throws(CodecError) in
                try encoder.structValue(type, &concrete, depth: depth)
            }
        } else if Reader.self == ThriftCompactReader.self {
            try withRebound(&reader, to: ThriftCompactReader.self) { (encoder, concrete) throws(CodecError) in
                try encoder.structValue(type, &concrete, depth: depth)
            }
        } else {
            try structValue(type, &reader, depth: depth)
        }
    }

    /// Views `reader` as the concrete type it is (checked by the caller) for the length of `body`.
    private mutating func withRebound<Reader, Concrete>(
        _ reader: inout Reader, to concrete: Concrete.Type,
        _ body: (inout ThriftJSONEncoder, inout Concrete) throws(CodecError) -> Void
    ) throws(CodecError) {
        var outcome: CodecError?
        withUnsafeMutablePointer(to: &reader) { pointer in
            pointer.withMemoryRebound(to: Concrete.self, capacity: 1) { rebound in
                do throws(CodecError) {
                    try body(&self, &rebound.pointee)
                } catch {
                    outcome = error
                }
            }
        }
        if let outcome { throw outcome }
    }
}
