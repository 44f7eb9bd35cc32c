public import SwiftProtobuf

extension ProtoSchema {
    /// Links `FileDescriptorProto`s (dependencies first, as `protoc --include_imports -o` writes them) into a schema.
    ///
    /// `locations` maps element full names to positions in IDL text, so that link errors of parsed files point at
    /// file:line:column; `documentation` maps them to doc comments (``ParsedProtoFiles/documentation``). Files
    /// with `SourceCodeInfo` (`protoc --include_source_info`) add the comments it holds.
    public convenience init(
        files: [Google_Protobuf_FileDescriptorProto], locations: [String: SourceLocation] = [:],
        documentation: [String: String] = [:]
    ) throws(CodecError) {
        var linker = ProtoLinker(files: files, locations: locations, documentation: documentation)
        let linked = try linker.link()
        self.init(
            messages: linked.messages, enums: linked.enums, services: linked.services,
            extensions: linked.extensions, files: files)
    }

    /// Loads an encoded `FileDescriptorSet` (`protoc --include_imports -o set.pb`).
    public convenience init(descriptorSet bytes: [UInt8]) throws(CodecError) {
        let set: Google_Protobuf_FileDescriptorSet
        do {
            set = try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
        } catch {
            throw CodecError(.invalidDescriptor, "not a FileDescriptorSet: \(error)")
        }
        try self.init(files: set.file)
    }
}

/// Turns descriptor protos into linked descriptors: assigns indices, resolves type names, computes packing,
/// presence and JSON names, and validates numbers and names.
struct ProtoLinker {
    struct Linked {
        var messages: [ProtoMessageDescriptor] = []
        var enums: [ProtoEnumDescriptor] = []
        var services: [ProtoServiceDescriptor] = []
        var extensions: [ProtoFieldDescriptor] = []
    }

    /// A message or enum found in the first pass.
    struct Declared {
        var proto: Google_Protobuf_DescriptorProto?
        var enumProto: Google_Protobuf_EnumDescriptorProto?
        var fullName: String
        var fileName: String
        var syntax: ProtoSyntax
    }

    let files: [Google_Protobuf_FileDescriptorProto]
    let locations: [String: SourceLocation]
    /// Doc comments by element full name.
    let documentation: [String: String]
    var declaredMessages: [Declared] = []
    var declaredEnums: [Declared] = []
    var messageIndex: [String: Int] = [:]
    var enumIndex: [String: Int] = [:]

    init(
        files: [Google_Protobuf_FileDescriptorProto], locations: [String: SourceLocation],
        documentation: [String: String] = [:]
    ) {
        self.files = files
        self.locations = locations
        var documentation = documentation
        for file in files where file.hasSourceCodeInfo {
            documentation.merge(ProtoDocumentation.comments(in: file)) { given, _ in given }
        }
        self.documentation = documentation
    }

    func failure(_ element: String, _ message: String) -> CodecError {
        CodecError(.schemaError, "\(element): \(message)", location: locations[element])
    }

    mutating func link() throws(CodecError) -> Linked {
        var fileNames = Set<String>()
        for file in files {
            guard fileNames.insert(file.name).inserted else {
                throw CodecError(.invalidDescriptor, "file '\(file.name)' appears twice")
            }
            let syntax = try Self.syntax(of: file)
            for message in file.messageType {
                try declare(message, scope: file.package, file: file.name, syntax: syntax)
            }
            for enumProto in file.enumType {
                try declareEnum(enumProto, scope: file.package, file: file.name, syntax: syntax)
            }
        }
        var linked = Linked()
        for (position, declared) in declaredEnums.enumerated() {
            linked.enums.append(try makeEnum(declared, index: position))
        }
        for (position, declared) in declaredMessages.enumerated() {
            linked.messages.append(try makeMessage(declared, index: position))
        }
        for file in files {
            let syntax = try Self.syntax(of: file)
            for service in file.service {
                linked.services.append(try makeService(service, file: file))
            }
            for extensionProto in file.extension {
                linked.extensions.append(
                    try makeField(extensionProto, scope: file.package, file: file.name, syntax: syntax, owner: nil))
            }
            for message in file.messageType {
                try collectNestedExtensions(message, scope: file.package, file: file.name, syntax: syntax,
                                            into: &linked.extensions)
            }
        }
        return linked
    }

    static func syntax(of file: Google_Protobuf_FileDescriptorProto) throws(CodecError) -> ProtoSyntax {
        switch file.syntax {
        case "", "proto2": return .proto2
        case "proto3": return .proto3
        default:
            throw CodecError(.invalidDescriptor, "file '\(file.name)': syntax '\(file.syntax)' is not supported")
        }
    }

    static func join(_ scope: String, _ name: String) -> String { scope.isEmpty ? name : scope + "." + name }

    mutating func declare(
        _ message: Google_Protobuf_DescriptorProto, scope: String, file: String, syntax: ProtoSyntax
    ) throws(CodecError) {
        let fullName = Self.join(scope, message.name)
        guard messageIndex[fullName] == nil, enumIndex[fullName] == nil else {
            throw failure(fullName, "'\(fullName)' is already defined")
        }
        messageIndex[fullName] = declaredMessages.count
        declaredMessages.append(
            Declared(proto: message, enumProto: nil, fullName: fullName, fileName: file, syntax: syntax))
        for nested in message.nestedType {
            try declare(nested, scope: fullName, file: file, syntax: syntax)
        }
        for nested in message.enumType {
            try declareEnum(nested, scope: fullName, file: file, syntax: syntax)
        }
    }

    mutating func declareEnum(
        _ enumProto: Google_Protobuf_EnumDescriptorProto, scope: String, file: String, syntax: ProtoSyntax
    ) throws(CodecError) {
        let fullName = Self.join(scope, enumProto.name)
        guard messageIndex[fullName] == nil, enumIndex[fullName] == nil else {
            throw failure(fullName, "'\(fullName)' is already defined")
        }
        enumIndex[fullName] = declaredEnums.count
        declaredEnums.append(
            Declared(proto: nil, enumProto: enumProto, fullName: fullName, fileName: file, syntax: syntax))
    }

    func makeEnum(_ declared: Declared, index: Int) throws(CodecError) -> ProtoEnumDescriptor {
        let proto = declared.enumProto!
        guard !proto.value.isEmpty else { throw failure(declared.fullName, "an enum needs at least one value") }
        if declared.syntax == .proto3, proto.value[0].number != 0 {
            throw failure(declared.fullName, "the first value of a proto3 enum must be 0")
        }
        var seenNumbers = Set<Int32>()
        var seenNames = Set<String>()
        for value in proto.value {
            guard seenNames.insert(value.name).inserted else {
                throw failure(declared.fullName + "." + value.name, "enum value '\(value.name)' is already defined")
            }
            if !seenNumbers.insert(value.number).inserted, !proto.options.allowAlias {
                throw failure(declared.fullName + "." + value.name,
                              "number \(value.number) is already used; set allow_alias = true to alias it")
            }
        }
        return ProtoEnumDescriptor(
            fullName: declared.fullName, name: proto.name, fileName: declared.fileName,
            values: proto.value.map {
                .init(
                    name: $0.name, number: $0.number, documentation: documentation[declared.fullName + "." + $0.name])
            },
            isClosed: declared.syntax == .proto2, index: index, documentation: documentation[declared.fullName])
    }

    func makeMessage(_ declared: Declared, index: Int) throws(CodecError) -> ProtoMessageDescriptor {
        let proto = declared.proto!
        var fields: [ProtoFieldDescriptor] = []
        var numbers = Set<Int>()
        var names = Set<String>()
        for fieldProto in proto.field {
            let field = try makeField(
                fieldProto, scope: declared.fullName, file: declared.fileName, syntax: declared.syntax,
                owner: proto)
            guard numbers.insert(field.number).inserted else {
                throw failure(field.fullName, "field number \(field.number) is already used in \(declared.fullName)")
            }
            guard names.insert(field.name).inserted else {
                throw failure(field.fullName, "field '\(field.name)' is already defined in \(declared.fullName)")
            }
            fields.append(field)
        }
        let oneofs = proto.oneofDecl.enumerated().map { position, oneof in
            let members = proto.field.filter { $0.hasOneofIndex && Int($0.oneofIndex) == position }
            return ProtoOneofDescriptor(
                name: oneof.name, fieldNumbers: members.map { Int($0.number) },
                isSynthetic: members.count == 1 && members[0].proto3Optional)
        }
        if proto.options.mapEntry {
            guard fields.count == 2, fields[0].number == 1, fields[1].number == 2 else {
                throw failure(declared.fullName, "a map entry must have exactly fields key = 1 and value = 2")
            }
        }
        return ProtoMessageDescriptor(
            fullName: declared.fullName, name: proto.name, fileName: declared.fileName, syntax: declared.syntax,
            fields: fields, oneofs: oneofs, isMapEntry: proto.options.mapEntry, index: index,
            reservedRanges: proto.reservedRange.compactMap { range in
                range.end > range.start ? Int(range.start)...Int(range.end - 1) : nil
            },
            reservedNames: proto.reservedName,
            extensionRanges: proto.extensionRange.compactMap { range in
                range.end > range.start ? Int(range.start)...Int(range.end - 1) : nil
            },
            documentation: documentation[declared.fullName])
    }

    /// Resolves a type name: fully qualified with a leading dot (the linked form), or relative to `scope` by
    /// searching outward through the enclosing scopes like protoc does.
    func resolve(_ typeName: String, scope: String) -> (message: Int?, enum: Int?, fullName: String)? {
        if typeName.hasPrefix(".") {
            let name = String(typeName.dropFirst())
            if let index = messageIndex[name] { return (index, nil, name) }
            if let index = enumIndex[name] { return (nil, index, name) }
            return nil
        }
        var current = scope
        while true {
            let candidate = Self.join(current, typeName)
            if let index = messageIndex[candidate] { return (index, nil, candidate) }
            if let index = enumIndex[candidate] { return (nil, index, candidate) }
            if current.isEmpty { return nil }
            current = current.lastIndex(of: ".").map { String(current[..<$0]) } ?? ""
        }
    }

    func makeField(
        _ proto: Google_Protobuf_FieldDescriptorProto, scope: String, file: String, syntax: ProtoSyntax,
        owner: Google_Protobuf_DescriptorProto?
    ) throws(CodecError) -> ProtoFieldDescriptor {
        let fullName = Self.join(scope, proto.name)
        let number = Int(proto.number)
        guard number >= 1, number <= maxProtoFieldNumber else {
            throw failure(fullName, "field number \(number) is out of range 1...\(maxProtoFieldNumber)")
        }
        var type = ProtoFieldType(rawValue: proto.type.rawValue)
        var messageIndex = -1
        var enumIndex = -1
        var typeName: String?
        if proto.hasTypeName {
            guard let resolved = resolve(proto.typeName, scope: scope) else {
                throw failure(fullName, "type '\(proto.typeName)' is not defined")
            }
            typeName = resolved.fullName
            if let index = resolved.message {
                messageIndex = index
                if type != .group { type = .message }
            } else if let index = resolved.enum {
                enumIndex = index
                type = .enum
            }
        }
        guard let type else { throw failure(fullName, "field has no valid type") }
        if (type == .message || type == .group) && messageIndex < 0 {
            throw failure(fullName, "message field has no message type")
        }
        if type == .enum && enumIndex < 0 { throw failure(fullName, "enum field has no enum type") }

        let cardinality: ProtoCardinality =
            switch proto.label {
            case .repeated: .repeated
            case .required: .required
            default: .optional
            }
        let isPacked: Bool
        if cardinality == .repeated && type.isPackable {
            isPacked = proto.options.hasPacked ? proto.options.packed : syntax == .proto3
        } else {
            isPacked = false
        }
        let inOneof = proto.hasOneofIndex
        let hasPresence =
            cardinality != .repeated
            && (syntax == .proto2 || type == .message || type == .group || inOneof || proto.proto3Optional)

        var mapKey: ProtoFieldDescriptor?
        var mapValue: ProtoFieldDescriptor?
        if cardinality == .repeated, messageIndex >= 0, let entry = declaredMessages[messageIndex].proto,
            entry.options.mapEntry
        {
            guard entry.field.count == 2 else {
                throw failure(fullName, "map entry type \(typeName ?? "") must have two fields")
            }
            let entryScope = declaredMessages[messageIndex].fullName
            mapKey = try makeField(entry.field[0], scope: entryScope, file: file, syntax: syntax, owner: entry)
            mapValue = try makeField(entry.field[1], scope: entryScope, file: file, syntax: syntax, owner: entry)
            switch mapKey!.type {
            case .double, .float, .bytes, .message, .group, .enum:
                throw failure(fullName, "map keys cannot be of type \(mapKey!.type.protoName)")
            default: break
            }
        }
        if let owner, inOneof, Int(proto.oneofIndex) >= owner.oneofDecl.count {
            throw failure(fullName, "oneof index \(proto.oneofIndex) is out of range")
        }
        return ProtoFieldDescriptor(
            name: proto.name, number: number,
            jsonName: proto.hasJsonName ? proto.jsonName : protoJSONName(proto.name),
            type: type, cardinality: cardinality, isPacked: isPacked, hasPresence: hasPresence,
            oneofIndex: inOneof ? Int(proto.oneofIndex) : nil, isProto3Optional: proto.proto3Optional,
            typeName: typeName, messageIndex: messageIndex, enumIndex: enumIndex,
            defaultValue: proto.hasDefaultValue ? proto.defaultValue : nil, mapKey: mapKey, mapValue: mapValue,
            extendee: proto.hasExtendee
                ? (proto.extendee.hasPrefix(".") ? String(proto.extendee.dropFirst()) : proto.extendee) : nil,
            isDeprecated: proto.options.deprecated, fullName: fullName, documentation: documentation[fullName])
    }

    func collectNestedExtensions(
        _ message: Google_Protobuf_DescriptorProto, scope: String, file: String, syntax: ProtoSyntax,
        into extensions: inout [ProtoFieldDescriptor]
    ) throws(CodecError) {
        let fullName = Self.join(scope, message.name)
        for extensionProto in message.extension {
            extensions.append(try makeField(extensionProto, scope: fullName, file: file, syntax: syntax, owner: nil))
        }
        for nested in message.nestedType {
            try collectNestedExtensions(nested, scope: fullName, file: file, syntax: syntax, into: &extensions)
        }
    }

    func makeService(
        _ proto: Google_Protobuf_ServiceDescriptorProto, file: Google_Protobuf_FileDescriptorProto
    ) throws(CodecError) -> ProtoServiceDescriptor {
        let fullName = Self.join(file.package, proto.name)
        var methods: [ProtoMethodDescriptor] = []
        var names = Set<String>()
        for method in proto.method {
            let methodName = fullName + "." + method.name
            guard names.insert(method.name).inserted else {
                throw failure(methodName, "method '\(method.name)' is already defined")
            }
            guard let input = resolve(method.inputType, scope: fullName)?.message else {
                throw failure(methodName, "request type '\(method.inputType)' is not a message")
            }
            guard let output = resolve(method.outputType, scope: fullName)?.message else {
                throw failure(methodName, "reply type '\(method.outputType)' is not a message")
            }
            let rule: HTTPRule?
            do {
                rule = try Self.httpRule(in: method.options)
            } catch {
                throw failure(methodName, "bad google.api.http option: \(error.message)")
            }
            methods.append(
                ProtoMethodDescriptor(
                    name: method.name, fullName: methodName, inputIndex: input, outputIndex: output,
                    clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming,
                    httpRule: rule, isDeprecated: method.options.deprecated, documentation: documentation[methodName]))
        }
        return ProtoServiceDescriptor(
            fullName: fullName, name: proto.name, fileName: file.name, methods: methods,
            documentation: documentation[fullName])
    }

    /// Finds the `google.api.http` extension among the options' unknown fields and decodes it.
    static func httpRule(in options: Google_Protobuf_MethodOptions) throws(CodecError) -> HTTPRule? {
        let bytes = [UInt8](options.unknownFields.data)
        if bytes.isEmpty { return nil }
        var found: Range<Int>?
        try bytes.withCodecBytes { (buffer) throws(CodecError) in
            var cursor = ProtoCursor(buffer, range: 0..<buffer.count)
            while !cursor.isAtEnd {
                let tag = try cursor.readTag()
                if tag.number == HTTPRule.extensionNumber, tag.wireType == .lengthDelimited {
                    found = try cursor.readLengthDelimited()
                } else {
                    try cursor.skip(tag.wireType, number: tag.number)
                }
            }
        }
        guard let found else { return nil }
        return try HTTPRule(encoded: bytes, range: found)
    }
}
