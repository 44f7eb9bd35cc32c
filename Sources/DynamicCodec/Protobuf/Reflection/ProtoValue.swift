/// A Protobuf message as encoded bytes plus the descriptor that explains them: the unit of in-place reflection.
///
/// Reads (`get`) skip everything they do not need; writes (`set`, `unset`) splice new bytes in once and fix the
/// lengths of the enclosing messages. Bytes that an operation does not touch, unknown fields included, are kept as
/// they were. A sub-message returned by a get is a view sharing the parent's storage.
public struct ProtoValue: Sendable {
    public let schema: ProtoSchema
    public let descriptor: ProtoMessageDescriptor
    /// Storage; the message occupies ``range`` within it.
    public private(set) var storage: [UInt8]
    public private(set) var range: Range<Int>
    public var limits: CodecLimits

    /// Wraps encoded bytes of a message of type `descriptor`. Nothing is decoded until asked for.
    public init(
        bytes: [UInt8], descriptor: ProtoMessageDescriptor, schema: ProtoSchema, limits: CodecLimits = .default
    ) throws(CodecError) {
        guard bytes.count <= limits.maxMessageSize else {
            throw CodecError(
                .sizeLimitExceeded, "message of \(bytes.count) bytes exceeds the limit of \(limits.maxMessageSize)")
        }
        self.init(storage: bytes, range: 0..<bytes.count, descriptor: descriptor, schema: schema, limits: limits)
    }

    init(
        storage: [UInt8], range: Range<Int>, descriptor: ProtoMessageDescriptor, schema: ProtoSchema,
        limits: CodecLimits
    ) {
        self.schema = schema
        self.descriptor = descriptor
        self.storage = storage
        self.range = range
        self.limits = limits
    }

    /// The encoded message.
    public var bytes: [UInt8] {
        range == storage.indices ? storage : Array(storage[range])
    }

    /// Replaces the encoded bytes (after an edit).
    mutating func replaceBytes(_ newBytes: [UInt8]) throws(CodecError) {
        guard newBytes.count <= limits.maxMessageSize else {
            throw CodecError(
                .sizeLimitExceeded,
                "edited message of \(newBytes.count) bytes exceeds the limit of \(limits.maxMessageSize)")
        }
        storage = newBytes
        range = 0..<newBytes.count
    }

    /// Checks that the whole message is well formed: every tag, length and group, at every depth reachable
    /// through known message fields, and UTF-8 in string fields.
    public func validate() throws(CodecError) {
        try storage.withCodecBytes { (buffer) throws(CodecError) in
            try ProtoValidator(schema: schema, limits: limits, base: buffer.baseAddress)
                .validate(range, descriptor, depth: 0)
        }
    }
}

/// Walks a message checking structure, recursing into known message fields.
struct ProtoValidator {
    let schema: ProtoSchema
    let limits: CodecLimits
    let base: UnsafeRawPointer?

    func validate(_ range: Range<Int>, _ message: ProtoMessageDescriptor, depth: Int) throws(CodecError) {
        guard let base, !range.isEmpty else { return }
        guard depth < limits.maxDepth else { throw .depthExceeded(limits.maxDepth, at: range.lowerBound) }
        var cursor = ProtoCursor(base: base, range: range)
        while !cursor.isAtEnd {
            let tagStart = cursor.position
            let tag = try cursor.readTag()
            guard let field = message.field(number: tag.number) else {
                try cursor.skip(tag.wireType, number: tag.number, depth: limits.maxDepth - depth)
                continue
            }
            do {
                try validateValue(field, tag.wireType, &cursor, depth: depth)
            } catch {
                throw error.under(field.name)
            }
            _ = tagStart
        }
    }

    func validateValue(
        _ field: ProtoFieldDescriptor, _ wireType: ProtoWireType, _ cursor: inout ProtoCursor, depth: Int
    ) throws(CodecError) {
        let start = cursor.position
        if field.isMessage {
            let type = schema.messages[field.messageIndex]
            if wireType == .lengthDelimited, field.type == .message {
                try validate(try cursor.readLengthDelimited(), type, depth: depth + 1)
                return
            }
            if wireType == .startGroup, field.type == .group {
                let groupStart = cursor.position
                try cursor.skip(.startGroup, number: field.number, depth: limits.maxDepth - depth)
                // The group's payload ends just before its end tag.
                let endTagSize = ProtoVarint.size(ProtoVarint.tag(field.number, .endGroup))
                try validate(groupStart..<(cursor.position - endTagSize), type, depth: depth + 1)
                return
            }
        } else if wireType == field.wireType {
            if field.type == .string {
                let payload = try cursor.readLengthDelimited()
                guard UTF8Validation.isValid(UnsafeRawBufferPointer(start: cursor.base + payload.lowerBound,
                                                                    count: payload.count))
                else { throw CodecError(.invalidUTF8, "string field holds invalid UTF-8", offset: start) }
            } else {
                try cursor.skip(wireType, number: field.number)
            }
            return
        } else if wireType == .lengthDelimited, field.isRepeated, field.type.isPackable {
            let packed = try cursor.readLengthDelimited()
            var inner = ProtoCursor(base: cursor.base, range: packed)
            while !inner.isAtEnd { try inner.skip(field.wireType, number: field.number) }
            return
        }
        throw CodecError(
            .invalidWireType,
            "wire type \(wireType.rawValue) does not fit field '\(field.name)' of type \(field.type.protoName)",
            offset: start)
    }
}
