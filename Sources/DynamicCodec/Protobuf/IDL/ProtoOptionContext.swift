/// What option interpretation can see from inside one file: its names, and the types of every built file.
struct ProtoOptionContext: Sendable {
    let resolver: ProtoSchemaNameResolver
    let registry: ProtoSchemaRegistry
    /// Definitions of the standard options messages, used when no built file declares them.
    let standard: ProtoSchemaRegistry?

    var fileName: String { resolver.file }

    func message(_ fullName: String) -> ProtoSchemaMessage? {
        registry.messages[fullName] ?? standard?.messages[fullName]
    }

    func enumType(_ fullName: String) -> ProtoSchemaEnum? {
        registry.enums[fullName] ?? standard?.enums[fullName]
    }

    /// The extension `name` refers to from `scope`, if it is a visible extension.
    func extensionField(_ name: String, relativeTo scope: String) -> ProtoSchemaField? {
        guard case .found(let fullName, .extensionField) = resolver.lookup(name, relativeTo: scope, typesOnly: false)
        else { return nil }
        return registry.extensions[fullName] ?? standard?.extensions[fullName]
    }

    /// The value of a scalar option written in `.proto` option syntax, checked against the field's type with
    /// protoc's rules (integers must fit, enums are named, floats accept integers, `inf` and `nan`).
    func scalarValue(
        _ value: ProtoOptionStatement.Value, for field: ProtoSchemaField, at location: SourceLocation
    ) throws(CodecError) -> ProtoOptionScalar {
        func fail(_ message: String) -> CodecError {
            CodecError(.schemaError, message + " (option \"\(field.fullName)\")", location: location)
        }
        switch field.type {
        case .int32, .sint32, .sfixed32, .int64, .sint64, .sfixed64:
            let is32 = field.type == .int32 || field.type == .sint32 || field.type == .sfixed32
            let typeName = is32 ? "int32" : "int64"
            switch value {
            case .positiveInteger(let number):
                guard number <= (is32 ? UInt64(Int32.max) : UInt64(Int64.max)) else {
                    throw fail("value out of range for \(typeName)")
                }
                return .signed(Int64(number))
            case .negativeInteger(let number):
                guard !is32 || number >= Int64(Int32.min) else { throw fail("value out of range for \(typeName)") }
                return .signed(number)
            default:
                throw fail("value must be an integer for \(typeName)")
            }
        case .uint32, .fixed32, .uint64, .fixed64:
            let is32 = field.type == .uint32 || field.type == .fixed32
            let typeName = is32 ? "uint32" : "uint64"
            switch value {
            case .positiveInteger(let number):
                guard !is32 || number <= UInt64(UInt32.max) else { throw fail("value out of range for \(typeName)") }
                return .unsigned(number)
            default:
                throw fail("value must be a non-negative integer for \(typeName)")
            }
        case .float, .double:
            switch value {
            case .double(let number): return .float(number)
            case .positiveInteger(let number): return .float(Double(number))
            case .negativeInteger(let number): return .float(Double(number))
            default: throw fail("value must be a number for \(field.type == .float ? "float" : "double")")
            }
        case .bool:
            switch value {
            case .identifier("true"): return .bool(true)
            case .identifier("false"): return .bool(false)
            default: throw fail("value must be \"true\" or \"false\" for bool")
            }
        case .enum:
            guard case .identifier(let name) = value else { throw fail("value must be an enum value name") }
            guard let number = enumType(field.typeName)?.values.first(where: { $0.name == name })?.number else {
                throw fail("enum type \"\(field.typeName)\" has no value named \"\(name)\"")
            }
            return .signed(Int64(number))
        case .string, .bytes:
            guard case .string(let bytes) = value else { throw fail("value must be a quoted string") }
            return .bytes(bytes)
        case .message, .group:
            throw fail("value must be a message")
        }
    }
}
