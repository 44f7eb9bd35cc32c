/// Scalars: bools, integers (range-checked per type), doubles, enums by name or number, strings, base64 binary,
/// UUIDs.
extension ThriftJSONDecoder {
    package mutating func boolean() throws(CodecError) -> Bool {
        let next = try scanner.peek()
        guard next == UInt8(ascii: "t") || next == UInt8(ascii: "f") else { throw wrongKind(next, "true or false") }
        return try scanner.readBool()
    }

    /// Whether a number of `type` may come as a JSON string.
    @inline(__always)
    package func acceptsString(_ type: ThriftType, jsConv: Bool) -> Bool {
        options.stringToNumber || jsConv || (type == .i64 && options.int64AsString)
    }

    /// An integer for a field of `type` (byte, i16, i32, i64), checked against the type's range.
    package mutating func integer(_ type: ThriftType, jsConv: Bool) throws(CodecError) -> Int64 {
        let start = scanner.position
        let number = try integerText(allowingString: acceptsString(type, jsConv: jsConv))
        let range: ClosedRange<Int64> =
            switch type {
            case .byte: Int64(Int8.min)...Int64(Int8.max)
            case .i16: Int64(Int16.min)...Int64(Int16.max)
            case .i32: Int64(Int32.min)...Int64(Int32.max)
            default: Int64.min...Int64.max
            }
        guard range.contains(number) else {
            throw CodecError(.invalidValue, "\(number) is out of range for \(Self.typeName(type))", offset: start)
        }
        return number
    }

    /// The next value as a 64-bit integer: a JSON number, or (when allowed) a string holding one.
    package mutating func integerText(allowingString: Bool) throws(CodecError) -> Int64 {
        let next = try scanner.peek()
        let start = scanner.position
        let result: ThriftJSONNumber.Integer
        if next == UInt8(ascii: "\"") {
            guard allowingString else { throw wrongKind(next, "a number") }
            let token = try scanner.readString()
            result = try scanner.withBytes(of: token) { (text) throws(CodecError) in
                ThriftJSONNumber.isJSONNumber(text) ? ThriftJSONNumber.integer(text) : .notInteger
            }
        } else if next == UInt8(ascii: "-") || next &- 0x30 < 10 {
            let token = try scanner.readNumberToken()
            result = ThriftJSONNumber.integer(
                UnsafeRawBufferPointer(start: scanner.base + token.lowerBound, count: token.count))
        } else {
            throw wrongKind(next, "an integer")
        }
        switch result {
        case .value(let number): return number
        case .notInteger:
            throw CodecError(.invalidValue, "\(text(from: start)) is not an integer", offset: start)
        case .outOfRange:
            throw CodecError(.invalidValue, "\(text(from: start)) is out of range for i64", offset: start)
        }
    }

    /// The JSON text from `start` to the scanner's position, for messages.
    package func text(from start: Int) -> String {
        String(
            decoding: UnsafeRawBufferPointer(start: scanner.base + start, count: scanner.position - start),
            as: UTF8.self)
    }

    /// A double: a JSON number, "NaN" / "Infinity" / "-Infinity", or (when allowed) a string holding a number.
    package mutating func double(jsConv: Bool) throws(CodecError) -> Double {
        let next = try scanner.peek()
        let start = scanner.position
        if next == UInt8(ascii: "\"") {
            let token = try scanner.readString()
            let special = try scanner.withBytes(of: token) { (text) -> Double? in
                if Self.equals(text, "NaN") { return .nan }
                if Self.equals(text, "Infinity") { return .infinity }
                if Self.equals(text, "-Infinity") { return -.infinity }
                return nil
            }
            if let special { return special }
            guard acceptsString(.double, jsConv: jsConv) else {
                throw CodecError(.typeMismatch, "expected a number, found a string", offset: start)
            }
            let number = try scanner.withBytes(of: token) { (text) -> Double? in
                ThriftJSONNumber.isJSONNumber(text) ? ThriftJSONNumber.double(text) : nil
            }
            guard let number else {
                throw CodecError(.invalidValue, "\(text(from: start)) is not a number", offset: start)
            }
            guard number.isFinite else {
                throw CodecError(.invalidValue, "\(text(from: start)) is out of range for double", offset: start)
            }
            return number
        }
        guard next == UInt8(ascii: "-") || next &- 0x30 < 10 else { throw wrongKind(next, "a number") }
        let token = try scanner.readNumberToken()
        let text = UnsafeRawBufferPointer(start: scanner.base + token.lowerBound, count: token.count)
        guard let number = ThriftJSONNumber.double(text), number.isFinite else {
            throw CodecError(.invalidValue, "\(self.text(from: start)) is out of range for double", offset: start)
        }
        return number
    }

    package static func equals(_ text: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard text.count == word.utf8CodeUnitCount else { return false }
        for index in 0..<text.count where text[index] != word.utf8Start[index] { return false }
        return true
    }

    /// An enum value: its name, or a number (any i32: Thrift enums are open on the wire).
    package mutating func enumValue(_ type: ThriftEnumDescriptor, jsConv: Bool) throws(CodecError) -> Int32 {
        let next = try scanner.peek()
        let start = scanner.position
        if next == UInt8(ascii: "\"") {
            let token = try scanner.readString()
            let name = scanner.string(of: token)
            if let number = type.value(named: name) { return number }
            if acceptsString(.i32, jsConv: jsConv), let number = Int32(name),
                try scanner.withBytes(of: token, { (text) throws(CodecError) in ThriftJSONNumber.isJSONNumber(text) })
            {
                return number
            }
            throw CodecError(.invalidValue, "'\(name)' is not a value of \(type.name)", offset: start)
        }
        guard next == UInt8(ascii: "-") || next &- 0x30 < 10 else { throw wrongKind(next, "an enum name or number") }
        let number = try integerText(allowingString: false)
        guard let narrow = Int32(exactly: number) else {
            throw CodecError(.invalidValue, "\(number) is out of range for an enum", offset: start)
        }
        return narrow
    }

    package mutating func string() throws(CodecError) {
        let next = try scanner.peek()
        guard next == UInt8(ascii: "\"") else { throw wrongKind(next, "a string") }
        let token = try scanner.readString()
        try scanner.withBytes(of: token) { writer.writeBinary($0) }
    }

    /// Binary: standard or URL-safe base64, padded or not (raw text under `binaryAsString`).
    package mutating func binary() throws(CodecError) {
        let next = try scanner.peek()
        guard next == UInt8(ascii: "\"") else { throw wrongKind(next, "a base64 string") }
        let token = try scanner.readString()
        if options.binaryAsString {
            try scanner.withBytes(of: token) { writer.writeBinary($0) }
            return
        }
        guard let decoded = try scanner.withBytes(of: token, { Base64.decode($0) }) else {
            throw CodecError(.invalidValue, "not valid base64", offset: token.offset)
        }
        decoded.withUnsafeBytes { writer.writeBinary($0) }
    }

    package mutating func uuid() throws(CodecError) {
        let next = try scanner.peek()
        guard next == UInt8(ascii: "\"") else { throw wrongKind(next, "a UUID string") }
        let token = try scanner.readString()
        guard let bytes = try scanner.withBytes(of: token, { ThriftUUIDText.parse(Array($0)) }) else {
            throw CodecError(.invalidValue, "not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", offset: token.offset)
        }
        bytes.withUnsafeBytes { writer.writeUUID($0) }
    }

    package static func typeName(_ type: ThriftType) -> String {
        switch type {
        case .bool: "bool"
        case .byte: "byte"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .double: "double"
        case .string: "string"
        case .binary: "binary"
        case .uuid: "uuid"
        case .enum: "enum"
        case .struct: "struct"
        case .list: "list"
        case .set: "set"
        case .map: "map"
        }
    }
}
