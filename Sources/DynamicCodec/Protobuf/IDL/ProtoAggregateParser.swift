/// Parses a text-format message literal (the `{ ... }` value of an option) and encodes it the way protoc serializes
/// the parsed message: fields in field-number order, proto3 defaults omitted, repeated scalars packed where the
/// field is packed.
///
/// Accepts `name: value`, `name { ... }`, `name: { ... }`, `name < ... >`, lists `name: [a, b]`, extensions
/// `[pkg.ext]: value`, and `,` or `;` after any field.
struct ProtoAggregateParser {
    private let tokens: [ProtoToken]
    private let context: ProtoOptionContext
    private let endLocation: SourceLocation
    private var position = 0
    private var depth = 0

    init(tokens: [ProtoToken], context: ProtoOptionContext, endLocation: SourceLocation) {
        self.tokens = tokens
        self.context = context
        self.endLocation = endLocation
    }

    /// The encoded message, and the field-number paths of the singular fields it sets.
    mutating func parse(_ message: ProtoSchemaMessage) throws(CodecError) -> (payload: [UInt8], setPaths: [[Int32]]) {
        try parseFields(of: message, terminator: nil)
    }

    // MARK: Cursor

    private var atEnd: Bool { position >= tokens.count }
    private var current: ProtoToken? { atEnd ? nil : tokens[position] }

    private var currentLocation: SourceLocation {
        current?.location(in: context.fileName) ?? endLocation
    }

    private var currentDescription: String { current?.quoted ?? "end of value" }

    private func lookingAt(_ text: String) -> Bool {
        guard let current else { return false }
        return current.kind != .string && current.text == text
    }

    private mutating func tryConsume(_ text: String) -> Bool {
        guard lookingAt(text) else { return false }
        position += 1
        return true
    }

    private mutating func consume(_ text: String) throws(CodecError) {
        guard tryConsume(text) else { throw error("expected \"\(text)\", found \(currentDescription)") }
    }

    private func error(_ message: String) -> CodecError {
        CodecError(.schemaError, "error in option value: " + message, location: currentLocation)
    }

    // MARK: Messages

    private enum Value {
        case scalar(ProtoOptionScalar)
        case message([UInt8])
    }

    private struct Collected {
        var field: ProtoSchemaField
        var values: [Value] = []
    }

    private mutating func parseFields(
        of message: ProtoSchemaMessage, terminator: String?
    ) throws(CodecError) -> (payload: [UInt8], setPaths: [[Int32]]) {
        depth += 1
        if depth > ProtoSourceParser.maxDepth {
            throw error("message values are nested deeper than \(ProtoSourceParser.maxDepth) levels")
        }
        var collected: [Int32: Collected] = [:]
        var setPaths: [[Int32]] = []
        while true {
            if let terminator {
                if tryConsume(terminator) { break }
                if atEnd { throw error("expected \"\(terminator)\" to close the message value") }
            } else if atEnd {
                break
            }
            try parseField(of: message, into: &collected, setPaths: &setPaths)
            if !tryConsume(";") { _ = tryConsume(",") }
        }
        depth -= 1
        for field in message.fields where field.label == .required && collected[field.number] == nil {
            throw error("message \(message.fullName) is missing the required field \"\(field.name)\"")
        }
        if message.isMapEntry {
            // Map entries are written with both key and value, even when they are defaults or missing.
            for field in message.fields where collected[field.number] == nil {
                collected[field.number] = Collected(field: field, values: [Self.defaultValue(of: field)])
            }
        }
        return (Self.encode(collected, writeDefaults: message.isMapEntry), setPaths)
    }

    private static func defaultValue(of field: ProtoSchemaField) -> Value {
        switch field.type {
        case .message, .group: .message([])
        case .string, .bytes: .scalar(.bytes([]))
        case .bool: .scalar(.bool(false))
        case .float, .double: .scalar(.float(0))
        case .uint32, .uint64, .fixed32, .fixed64: .scalar(.unsigned(0))
        default: .scalar(.signed(0))
        }
    }

    private static func encode(_ collected: [Int32: Collected], writeDefaults: Bool) -> [UInt8] {
        var writer = ProtoOptionValueWriter()
        for number in collected.keys.sorted() {
            guard let entry = collected[number] else { continue }
            let field = entry.field
            if field.isPacked {
                var packed = ProtoOptionValueWriter()
                for case .scalar(let value) in entry.values { packed.writePayload(value, as: field.type) }
                if !packed.bytes.isEmpty { writer.writeLengthDelimited(number, packed.bytes) }
                continue
            }
            for value in entry.values {
                switch value {
                case .message(let payload):
                    writer.writeMessage(number, payload, asGroup: field.type == .group)
                case .scalar(let scalar):
                    if !writeDefaults && !field.isRepeated && !field.hasPresence && scalar.isDefault(as: field.type) {
                        continue
                    }
                    writer.writeTag(number, ProtoOptionValueWriter.wireType(of: field.type))
                    writer.writePayload(scalar, as: field.type)
                }
            }
        }
        return writer.bytes
    }

    private mutating func parseField(
        of message: ProtoSchemaMessage, into collected: inout [Int32: Collected], setPaths: inout [[Int32]]
    ) throws(CodecError) {
        let nameLocation = currentLocation
        let field = try parseFieldName(of: message)
        var entry = collected[field.number] ?? Collected(field: field)
        if !field.isRepeated, let previous = entry.values.last {
            // A proto3 scalar set to its default is not "present", so protoc lets it be set again.
            var isPresent = true
            if case .scalar(let scalar) = previous, !field.hasPresence, scalar.isDefault(as: field.type) {
                isPresent = false
            }
            if isPresent {
                throw CodecError(
                    .schemaError,
                    "error in option value: non-repeated field \"\(field.name)\" is specified multiple times",
                    location: nameLocation)
            }
        }
        if let oneof = field.oneofIndex,
            let other = collected.values.first(where: {
                $0.field.oneofIndex == oneof && $0.field.number != field.number
            })
        {
            let oneofName = message.oneofNames.indices.contains(Int(oneof)) ? message.oneofNames[Int(oneof)] : "?"
            throw CodecError(
                .schemaError,
                "error in option value: field \"\(field.name)\" is specified along with field \"\(other.field.name)\", "
                    + "another member of oneof \"\(oneofName)\"",
                location: nameLocation)
        }

        var values: [Value] = []
        if field.isMessage {
            _ = tryConsume(":")
            guard let type = context.message(field.typeName) else {
                throw error("unknown message type \(field.typeName)")
            }
            if field.isRepeated && tryConsume("[") {
                if !tryConsume("]") {
                    repeat {
                        values.append(.message(try parseMessageValue(type).payload))
                    } while tryConsume(",")
                    try consume("]")
                }
            } else {
                let parsed = try parseMessageValue(type)
                values.append(.message(parsed.payload))
                if !field.isRepeated { setPaths += parsed.setPaths.map { [field.number] + $0 } }
            }
        } else {
            guard tryConsume(":") else {
                throw error("expected \":\" after \"\(field.name)\", found \(currentDescription)")
            }
            if field.isRepeated && tryConsume("[") {
                if !tryConsume("]") {
                    repeat {
                        values.append(.scalar(try parseScalar(for: field)))
                    } while tryConsume(",")
                    try consume("]")
                }
            } else {
                values.append(.scalar(try parseScalar(for: field)))
            }
        }
        if field.isRepeated {
            entry.values += values
        } else {
            entry.values = values
            setPaths.append([field.number])
        }
        collected[field.number] = entry
    }

    /// A field name, a group's type name, or `[extension.name]`.
    private mutating func parseFieldName(of message: ProtoSchemaMessage) throws(CodecError) -> ProtoSchemaField {
        let location = currentLocation
        if tryConsume("[") {
            var name = ""
            while let token = current, !(token.kind == .symbol && token.text == "]") {
                guard token.kind == .identifier || (token.kind == .symbol && token.text == ".") else {
                    if token.text == "/" { throw error("Any expansions are not supported in option values") }
                    throw error("unexpected \(token.quoted) in an extension name")
                }
                name += token.text
                position += 1
            }
            try consume("]")
            guard let field = context.extensionField(name, relativeTo: message.fullName),
                field.extendee == message.fullName
            else {
                throw CodecError(
                    .schemaError,
                    "error in option value: extension \"\(name)\" is not defined or is not an extension of "
                        + "\"\(message.fullName)\"",
                    location: location)
            }
            return field
        }
        guard let token = current, token.kind == .identifier else {
            throw error("expected a field name, found \(currentDescription)")
        }
        position += 1
        let name = token.text
        var field = message.field(named: name)
        if field == nil, let lowered = message.field(named: name.lowercased()), lowered.type == .group {
            field = lowered
        }
        if let found = field, found.type == .group, context.message(found.typeName)?.name != name {
            field = nil
        }
        guard let field else {
            throw CodecError(
                .schemaError,
                "error in option value: message type \"\(message.fullName)\" has no field named \"\(name)\"",
                location: location)
        }
        return field
    }

    /// `{ fields }` or `< fields >`.
    private mutating func parseMessageValue(
        _ type: ProtoSchemaMessage
    ) throws(CodecError) -> (payload: [UInt8], setPaths: [[Int32]]) {
        if tryConsume("{") { return try parseFields(of: type, terminator: "}") }
        if tryConsume("<") { return try parseFields(of: type, terminator: ">") }
        throw error("expected \"{\" or \"<\" to start a message value, found \(currentDescription)")
    }

    // MARK: Scalars

    private mutating func parseScalar(for field: ProtoSchemaField) throws(CodecError) -> ProtoOptionScalar {
        switch field.type {
        case .int32, .sint32, .sfixed32:
            return .signed(try parseSigned(max: UInt64(Int32.max)))
        case .int64, .sint64, .sfixed64:
            return .signed(try parseSigned(max: UInt64(Int64.max)))
        case .uint32, .fixed32:
            return .unsigned(try parseUnsigned(max: UInt64(UInt32.max)))
        case .uint64, .fixed64:
            return .unsigned(try parseUnsigned(max: UInt64.max))
        case .float, .double:
            return .float(try parseDouble())
        case .bool:
            if let token = current, token.kind == .identifier {
                switch token.text {
                case "true", "True", "t":
                    position += 1
                    return .bool(true)
                case "false", "False", "f":
                    position += 1
                    return .bool(false)
                default:
                    throw error("invalid value for boolean field \"\(field.name)\": \(token.quoted)")
                }
            }
            return .bool(try parseUnsigned(max: 1) == 1)
        case .string, .bytes:
            guard current?.kind == .string else { throw error("expected a string, found \(currentDescription)") }
            var bytes: [UInt8] = []
            while let token = current, token.kind == .string {
                bytes += token.bytes
                position += 1
            }
            return .bytes(bytes)
        case .enum:
            guard let enumType = context.enumType(field.typeName) else {
                throw error("unknown enum type \(field.typeName)")
            }
            if let token = current, token.kind == .identifier {
                position += 1
                guard let value = enumType.values.first(where: { $0.name == token.text }) else {
                    throw error("unknown enumeration value \(token.quoted) for field \"\(field.name)\"")
                }
                return .signed(Int64(value.number))
            }
            let number = try parseSigned(max: UInt64(Int32.max))
            guard enumType.isOpen || enumType.values.contains(where: { Int64($0.number) == number }) else {
                throw error("unknown enumeration value \(number) for field \"\(field.name)\"")
            }
            return .signed(number)
        case .message, .group:
            throw error("field \"\(field.name)\" needs a message value")
        }
    }

    private mutating func parseSigned(max: UInt64) throws(CodecError) -> Int64 {
        let negative = tryConsume("-")
        let magnitude = try parseUnsigned(max: negative ? max + 1 : max)
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    private mutating func parseUnsigned(max: UInt64) throws(CodecError) -> UInt64 {
        guard let token = current, token.kind == .integer else {
            throw error("expected an integer, found \(currentDescription)")
        }
        guard let value = ProtoLexer.integerValue(token.text), value <= max else {
            throw error("integer out of range (\(token.text))")
        }
        position += 1
        return value
    }

    private mutating func parseDouble() throws(CodecError) -> Double {
        let negative = tryConsume("-")
        guard let token = current else { throw error("expected a number, found end of value") }
        var value: Double
        switch token.kind {
        case .integer, .float:
            guard let parsed = ProtoLexer.floatValue(token) else { throw error("invalid number \(token.quoted)") }
            value = parsed
        case .identifier:
            switch token.text.lowercased() {
            case "inf", "infinity": value = .infinity
            case "nan": value = .nan
            default: throw error("expected a number, found \(token.quoted)")
            }
        default:
            throw error("expected a number, found \(token.quoted)")
        }
        position += 1
        return negative ? -value : value
    }
}
