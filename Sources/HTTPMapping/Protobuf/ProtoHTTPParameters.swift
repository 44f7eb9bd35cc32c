internal import DynamicCodec
/// Fields set from strings (path variables and query parameters), encoded straight to Protobuf binary.
///
/// Each assignment names a chain of fields (`filter.genre`), optionally a map key (`labels[floor]`), and a text
/// value. Values are parsed per field type: numbers, bools, enum names or numbers, base64 bytes, RFC 3339
/// timestamps, `1.5s` durations, comma-separated field masks, and wrappers by their wrapped type.
struct ProtoHTTPParameters {
    struct Assignment {
        var chain: [ProtoFieldDescriptor]
        var mapKey: String?
        var value: String
        var source: HTTPSource
    }

    let schema: ProtoSchema
    var assignments: [Assignment] = []

    init(schema: ProtoSchema) { self.schema = schema }

    /// The binary encoding of every assignment, as fields of `type` (no enclosing tag).
    func encode(as type: ProtoMessageDescriptor) throws(CodecError) -> [UInt8] {
        guard !assignments.isEmpty else { return [] }
        var writer = ProtoWriter(capacity: 64)
        try encode(assignments[...], depth: 0, into: &writer)
        return writer.bytes
    }

    /// Groups assignments by their field at `depth` (in order of first appearance) and writes each group.
    private func encode(_ group: ArraySlice<Assignment>, depth: Int, into writer: inout ProtoWriter)
        throws(CodecError)
    {
        var order: [Int] = []
        var byField: [Int: [Assignment]] = [:]
        for assignment in group {
            let number = assignment.chain[depth].number
            if byField[number] == nil { order.append(number) }
            byField[number, default: []].append(assignment)
        }
        for number in order {
            let members = byField[number]!
            let field = members[0].chain[depth]
            let leaves = members.filter { $0.chain.count == depth + 1 }
            if leaves.isEmpty {
                // Fields of a nested message, by dotted names.
                writer.writeTag(field.number, .lengthDelimited)
                let start = writer.beginLengthDelimited()
                try encode(members[...], depth: depth + 1, into: &writer)
                writer.endLengthDelimited(start)
                continue
            }
            guard leaves.count == members.count else {
                let nested = members.first { $0.chain.count > depth + 1 }!
                throw CodecError.invalidArgument(
                    nested.source, "'\(field.name)' is set both as a whole and through its fields")
            }
            try encodeLeaf(field, leaves, into: &writer)
        }
    }

    private func encodeLeaf(_ field: ProtoFieldDescriptor, _ leaves: [Assignment], into writer: inout ProtoWriter)
        throws(CodecError)
    {
        if let keyField = field.mapKey, let valueField = field.mapValue {
            for leaf in leaves {
                guard let key = leaf.mapKey else {
                    throw CodecError.invalidArgument(
                        leaf.source, "'\(field.name)' is a map: name an entry as \(field.name)[key]")
                }
                writer.writeTag(field.number, .lengthDelimited)
                let start = writer.beginLengthDelimited()
                try encodeValue(key, keyField, number: 1, source: leaf.source, into: &writer)
                try encodeValue(leaf.value, valueField, number: 2, source: leaf.source, into: &writer)
                writer.endLengthDelimited(start)
            }
            return
        }
        if let keyed = leaves.first(where: { $0.mapKey != nil }) {
            throw CodecError.invalidArgument(keyed.source, "'\(field.name)' is not a map")
        }
        if isFieldMask(field) {
            // Masks combine: ?mask=a,b and ?mask=a&mask=b are the same.
            try encodeValue(
                leaves.map(\.value).joined(separator: ","), field, number: field.number,
                source: leaves[0].source, into: &writer)
            return
        }
        guard field.isRepeated || leaves.count == 1 else {
            throw CodecError.invalidArgument(
                leaves[1].source, "given \(leaves.count) times but '\(field.name)' holds one value")
        }
        for leaf in leaves {
            try encodeValue(leaf.value, field, number: field.number, source: leaf.source, into: &writer)
        }
    }

    private func isFieldMask(_ field: ProtoFieldDescriptor) -> Bool {
        !field.isRepeated && field.typeName == "google.protobuf.FieldMask"
    }

    /// One tagged value of `field` (under `number`) parsed from text.
    func encodeValue(
        _ text: String, _ field: ProtoFieldDescriptor, number: Int, source: HTTPSource, into writer: inout ProtoWriter
    ) throws(CodecError) {
        guard field.isMessage else {
            let scalar = try Self.scalar(text, field, schema: schema, source: source)
            writer.writeTag(number, field.wireType)
            do throws(CodecError) {
                try scalar.encode(as: field.type, into: &writer.bytes)
            } catch {
                throw CodecError.invalidArgument(source, error.message)
            }
            return
        }
        guard field.type == .message, let type = schema.messageType(of: field) else {
            throw CodecError.invalidArgument(source, "'\(field.name)' cannot be set from a string")
        }
        writer.writeTag(number, .lengthDelimited)
        let start = writer.beginLengthDelimited()
        switch ProtoWellKnownType(type.fullName) {
        case .timestamp:
            guard let (seconds, nanos) = ProtoJSONDecoder.parseTimestamp(text) else {
                throw CodecError.invalidArgument(
                    source, "'\(text)' is not an RFC 3339 timestamp like 2024-05-01T10:00:00Z")
            }
            Self.writeSecondsAndNanos(seconds, nanos, into: &writer)
        case .duration:
            guard let (seconds, nanos) = ProtoJSONDecoder.parseDuration(text) else {
                throw CodecError.invalidArgument(source, "'\(text)' is not a duration like 1.5s")
            }
            Self.writeSecondsAndNanos(seconds, nanos, into: &writer)
        case .fieldMask:
            for path in text.split(separator: ",", omittingEmptySubsequences: true) {
                let snake = Self.snakeCase(path.trimmingSpaces)
                writer.writeTag(1, .lengthDelimited)
                writer.writeLengthDelimited(snake.utf8)
            }
        case .wrapper:
            let inner = type.field(number: 1)!
            let scalar = try Self.scalar(text, inner, schema: schema, source: source)
            var encoded: [UInt8] = []
            do throws(CodecError) {
                try scalar.encode(as: inner.type, into: &encoded)
            } catch {
                throw CodecError.invalidArgument(source, error.message)
            }
            // Like the JSON mapping: a zero value (all-zero bytes) leaves the wrapper empty.
            if !encoded.allSatisfy({ $0 == 0 }) {
                writer.writeTag(1, inner.wireType)
                writer.bytes += encoded
            }
        default:
            throw CodecError.invalidArgument(
                source, "'\(field.name)' is a message (\(type.fullName)): set its fields with dotted names")
        }
        writer.endLengthDelimited(start)
    }

    static func writeSecondsAndNanos(_ seconds: Int64, _ nanos: Int32, into writer: inout ProtoWriter) {
        if seconds != 0 {
            writer.writeTag(1, .varint)
            writer.writeVarint(UInt64(bitPattern: seconds))
        }
        if nanos != 0 {
            writer.writeTag(2, .varint)
            writer.writeVarint(UInt64(bitPattern: Int64(nanos)))
        }
    }

    /// `readTime` -> `read_time`; paths already in snake_case are kept. Dotted paths convert per component.
    static func snakeCase(_ path: String) -> String {
        var out = ""
        for character in path {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// A scalar of `field`'s type parsed from text, or INVALID_ARGUMENT naming the source and the expected type.
    static func scalar(_ text: String, _ field: ProtoFieldDescriptor, schema: ProtoSchema, source: HTTPSource)
        throws(CodecError) -> ProtoScalar
    {
        func expected(_ what: String) -> CodecError {
            CodecError.invalidArgument(
                source, "'\(text)' is not \(what) (field '\(field.name)', \(field.type.protoName))")
        }
        switch field.type {
        case .string:
            return .string(text)
        case .bytes:
            let decoded =
                text.utf8.withContiguousStorageIfAvailable { Base64.decode(UnsafeRawBufferPointer($0)) }
                ?? Array(text.utf8).withUnsafeBytes { Base64.decode($0) }
            guard let decoded else { throw expected("base64") }
            return .bytes(decoded)
        case .bool:
            guard let flag = parseBool(text) else { throw expected("a bool (true or false)") }
            return .bool(flag)
        case .int32, .sint32, .sfixed32:
            guard let value = Int32(text) else { throw expected("an int32") }
            return .int32(value)
        case .int64, .sint64, .sfixed64:
            guard let value = Int64(text) else { throw expected("an int64") }
            return .int64(value)
        case .uint32, .fixed32:
            guard let value = UInt32(text) else { throw expected("a uint32") }
            return .uint32(value)
        case .uint64, .fixed64:
            guard let value = UInt64(text) else { throw expected("a uint64") }
            return .uint64(value)
        case .float, .double:
            guard let value = parseFloating(text) else { throw expected("a number") }
            if field.type == .float, value.isFinite, Float(value).isInfinite {
                throw expected("a number in the range of float")
            }
            return field.type == .float ? .float(Float(value)) : .double(value)
        case .enum:
            guard let enumType = schema.enumType(of: field) else { throw expected("an enum value") }
            if let number = enumType.number(named: text) { return .enumValue(number) }
            if let number = Int32(text), !enumType.isClosed || enumType.name(of: number) != nil {
                return .enumValue(number)
            }
            let names = enumType.values.prefix(8).map(\.name).joined(separator: ", ")
            throw expected("a value of \(enumType.fullName) (\(names)\(enumType.values.count > 8 ? ", ..." : ""))")
        case .message, .group:
            throw CodecError.invalidArgument(source, "'\(field.name)' cannot be set from a string")
        }
    }

    /// `true`/`false` in the spellings Go's strconv.ParseBool accepts (grpc-gateway reads query bools with it).
    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE", "t", "T", "1": true
        case "false", "False", "FALSE", "f", "F", "0": false
        default: nil
        }
    }

    static func parseFloating(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity", "inf", "+Infinity": return .infinity
        case "-Infinity", "-inf": return -.infinity
        default:
            guard let first = text.utf8.first,
                first == UInt8(ascii: "-") || (0x30...0x39).contains(first)
                    || first == UInt8(ascii: ".")
            else { return nil }
            return Double(text)
        }
    }
}
