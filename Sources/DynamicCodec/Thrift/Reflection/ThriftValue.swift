/// A Thrift struct as encoded bytes (binary or compact protocol) plus its descriptor: the unit of in-place
/// reflection, with the same operations as ``ProtoValue``.
///
/// Gets skip what they do not need (fixed-size list elements in one step); sets and unsets splice the bytes once
/// and fix the element count of the container they touch. Untouched bytes, unknown fields included, stay as they
/// were.
public struct ThriftValue: Sendable {
    public let schema: ThriftSchema
    public let descriptor: ThriftStructDescriptor
    public let encoding: ThriftProtocol
    public private(set) var storage: [UInt8]
    /// The struct's bytes within storage (its fields and the STOP marker).
    public private(set) var range: Range<Int>
    public var limits: CodecLimits

    public init(
        bytes: [UInt8], encoding: ThriftProtocol, descriptor: ThriftStructDescriptor, schema: ThriftSchema,
        limits: CodecLimits = .default
    ) throws(CodecError) {
        guard bytes.count <= limits.maxMessageSize else {
            throw CodecError(.sizeLimitExceeded, "struct of \(bytes.count) bytes exceeds the limit of \(limits.maxMessageSize)")
        }
        self.init(storage: bytes, range: 0..<bytes.count, encoding: encoding, descriptor: descriptor, schema: schema,
                  limits: limits)
    }

    init(
        storage: [UInt8], range: Range<Int>, encoding: ThriftProtocol, descriptor: ThriftStructDescriptor,
        schema: ThriftSchema, limits: CodecLimits
    ) {
        self.schema = schema
        self.descriptor = descriptor
        self.encoding = encoding
        self.storage = storage
        self.range = range
        self.limits = limits
    }

    /// The encoded struct.
    public var bytes: [UInt8] { range == storage.indices ? storage : Array(storage[range]) }

    mutating func replaceBytes(_ newBytes: [UInt8]) throws(CodecError) {
        guard newBytes.count <= limits.maxMessageSize else {
            throw CodecError(.sizeLimitExceeded, "edited struct of \(newBytes.count) bytes exceeds the limit")
        }
        storage = newBytes
        range = 0..<newBytes.count
    }

    /// Checks the whole struct is well formed (every header, length and count, at any depth).
    public func validate() throws(CodecError) {
        switch encoding {
        case .binary: try ThriftAccess<ThriftBinaryReader, ThriftBinaryWriter>(self).validate()
        case .compact: try ThriftAccess<ThriftCompactReader, ThriftCompactWriter>(self).validate()
        }
    }
}
