extension ProtoValue {
    /// Appends `value` as one or more complete occurrences of `field` (tags included): a single value, every
    /// element of a list (packed when the field packs), or every entry of a map.
    func encodeField(_ field: ProtoFieldDescriptor, _ value: ProtoFieldValue, into out: inout [UInt8])
        throws(CodecError)
    {
        switch value {
        case .list(let elements):
            guard field.isRepeated, !field.isMap else {
                throw CodecError(.typeMismatch, "a list cannot be written to '\(field.name)'")
            }
            if field.isPacked {
                guard !elements.isEmpty else { return }
                var payload: [UInt8] = []
                for element in elements { try encodeRaw(field, element, into: &payload) }
                out.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
                out.appendVarint(UInt64(payload.count))
                out.append(contentsOf: payload)
            } else {
                for element in elements { try encodeTagged(field, element, into: &out) }
            }
        case .map(let entries):
            guard field.isMap else { throw CodecError(.typeMismatch, "a map cannot be written to '\(field.name)'") }
            for entry in entries {
                try encodeEntry(field, key: ProtoMapKey(entry.key), value: entry.value, into: &out)
            }
        case .scalar, .message:
            guard !field.isMap else {
                throw CodecError(.typeMismatch, "'\(field.name)' is a map; write a map or one [key]")
            }
            try encodeTagged(field, value, into: &out)
        }
    }

    /// Appends one tagged value of `field` (one element for repeated fields).
    func encodeTagged(_ field: ProtoFieldDescriptor, _ value: ProtoFieldValue, into out: inout [UInt8])
        throws(CodecError)
    {
        if field.type == .group {
            out.appendVarint(ProtoVarint.tag(field.number, .startGroup))
            out.append(contentsOf: try messagePayload(field, value))
            out.appendVarint(ProtoVarint.tag(field.number, .endGroup))
            return
        }
        out.appendVarint(ProtoVarint.tag(field.number, field.wireType))
        if field.isMessage {
            let payload = try messagePayload(field, value)
            out.appendVarint(UInt64(payload.count))
            out.append(contentsOf: payload)
        } else {
            try encodeRaw(field, value, into: &out)
        }
    }

    /// Appends a scalar value without tag (as inside a packed block).
    func encodeRaw(_ field: ProtoFieldDescriptor, _ value: ProtoFieldValue, into out: inout [UInt8])
        throws(CodecError)
    {
        guard case .scalar(let scalar) = value else {
            throw CodecError(.typeMismatch, "'\(field.name)' takes a \(field.type.protoName), not a message or list")
        }
        if field.type == .enum, case .enumValue(let number) = scalar, let enumType = schema.enumType(of: field),
            enumType.isClosed, enumType.name(of: number) == nil
        {
            throw CodecError(.invalidValue, "\(number) is not a value of the closed enum \(enumType.fullName)")
        }
        try scalar.encode(as: field.type, into: &out)
    }

    /// The encoded payload of a message value written to `field`.
    func messagePayload(_ field: ProtoFieldDescriptor, _ value: ProtoFieldValue) throws(CodecError) -> [UInt8] {
        guard case .message(let message) = value else {
            throw CodecError(.typeMismatch, "'\(field.name)' takes a \(field.typeName ?? "message"), not a scalar")
        }
        let expected = schema.messages[field.messageIndex]
        guard message.descriptor.fullName == expected.fullName else {
            throw CodecError(
                .typeMismatch, "'\(field.name)' takes a \(expected.fullName), not a \(message.descriptor.fullName)")
        }
        return message.bytes
    }

    /// Appends one map entry occurrence: tag, length, key (field 1) and value (field 2).
    func encodeEntry(
        _ field: ProtoFieldDescriptor, key: ProtoMapKey, value: ProtoFieldValue, into out: inout [UInt8]
    ) throws(CodecError) {
        var payload: [UInt8] = []
        try encodeTagged(field.mapKey!, .scalar(key.scalar(for: field.mapKey!.type)), into: &payload)
        try encodeTagged(field.mapValue!, value, into: &payload)
        out.appendVarint(ProtoVarint.tag(field.number, .lengthDelimited))
        out.appendVarint(UInt64(payload.count))
        out.append(contentsOf: payload)
    }

    /// Encodes the fields that `steps` create inside an empty message of type `message`, ending in `value`.
    func build(_ steps: ArraySlice<FieldPath.Step>, in message: ProtoMessageDescriptor, value: ProtoFieldValue)
        throws(CodecError) -> [UInt8]
    {
        guard let step = steps.first else {
            throw CodecError(.invalidPath, "path ends before a field")
        }
        guard steps.count <= limits.maxDepth * 2 else { throw .depthExceeded(limits.maxDepth, at: 0) }
        let field = try field(for: step, in: message)
        let rest = steps.dropFirst()
        var out: [UInt8] = []
        if rest.isEmpty {
            try encodeField(field, value, into: &out)
            return out
        }
        if field.isMap {
            guard let subscriptStep = rest.first, subscriptStep.isSubscript else {
                throw CodecError(.pathMismatch, "a map needs a [key] subscript")
            }
            let key = try ProtoMapKey(subscript: subscriptStep, keyType: field.mapKey!.type)
            let valueSteps = rest.dropFirst()
            let entryValue =
                valueSteps.isEmpty ? value : .message(try buildMessage(field.mapValue!, valueSteps, value: value))
            try encodeEntry(field, key: key, value: entryValue, into: &out)
            return out
        }
        if field.isRepeated {
            guard case .integer(let index)? = rest.first else {
                throw CodecError(.pathMismatch, "a list needs an [index] subscript")
            }
            guard index == 0 else {
                throw CodecError(.indexOutOfRange, "index \(index) is outside the empty list '\(field.name)'")
            }
            let elementSteps = rest.dropFirst()
            let element = elementSteps.isEmpty ? value : .message(try buildMessage(field, elementSteps, value: value))
            try encodeField(field, .list([element]), into: &out)
            return out
        }
        if let next = rest.first, next.isSubscript {
            throw CodecError(.pathMismatch, "'\(field.name)' is neither a list nor a map")
        }
        try encodeTagged(field, .message(try buildMessage(field, rest, value: value)), into: &out)
        return out
    }

    func buildMessage(_ field: ProtoFieldDescriptor, _ steps: ArraySlice<FieldPath.Step>, value: ProtoFieldValue)
        throws(CodecError) -> ProtoValue
    {
        guard field.isMessage else {
            throw CodecError(.pathMismatch, "'\(field.name)' is a \(field.type.protoName), not a message")
        }
        let type = schema.messages[field.messageIndex]
        let payload = try build(steps, in: type, value: value)
        return ProtoValue(storage: payload, range: 0..<payload.count, descriptor: type, schema: schema, limits: limits)
    }
}
