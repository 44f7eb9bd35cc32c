public import DynamicCodec

/// Thrift's TApplicationException (`{1: string message, 2: i32 type}`), the reply to a call the server could not
/// execute, and Kitex protobuf's ErrorProto (`{1: int32 type_id, 2: string message}`).
public struct TApplicationException: Error, Sendable, Hashable {
    public var message: String
    public var type: Int32

    /// Types defined by Apache Thrift.
    public static let unknown: Int32 = 0
    public static let unknownMethod: Int32 = 1
    public static let internalError: Int32 = 6

    public init(message: String, type: Int32) {
        self.message = message
        self.type = type
    }

    static let schema: ThriftSchema = {
        let text = "exception TApplicationException { 1: string message, 2: i32 type }"
        // The IDL is a literal: it cannot fail to parse.
        return try! ThriftSchema(thriftFiles: ["portico_rpc.thrift"], source: ThriftFileSource(files: ["portico_rpc.thrift": text]))
    }()

    static var descriptor: ThriftStructDescriptor { schema.structs[0] }

    /// Decodes the struct in `encoding`.
    public init(decoding bytes: [UInt8], encoding: ThriftProtocol) throws(CodecError) {
        let value = try ThriftValue(bytes: bytes, encoding: encoding, descriptor: Self.descriptor, schema: Self.schema)
        var message = ""
        var type: Int32 = 0
        if case .scalar(.string(let text))? = try value.get("message") { message = text }
        if case .scalar(.i32(let number))? = try value.get("type") { type = number }
        self.init(message: message, type: type)
    }

    /// The struct in `encoding`.
    public func encoded(_ encoding: ThriftProtocol) -> [UInt8] {
        let json = "{\"message\":\(JSONString.quoted(message)),\"type\":\(type)}"
        // Our own JSON for a literal struct: always valid.
        return try! ThriftJSON.decode(Array(json.utf8), as: Self.descriptor, schema: Self.schema, encoding: encoding)
    }

    /// Reads Kitex's ErrorProto message.
    init(errorProto bytes: [UInt8]) {
        var message = ""
        var type: Int32 = 0
        var index = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        while index < bytes.count, let key = varint() {
            switch (key >> 3, key & 7) {
            case (1, 0): type = Int32(truncatingIfNeeded: varint() ?? 0)
            case (2, 2):
                guard let length = varint(), length <= UInt64(bytes.count - index) else { break }
                message = String(decoding: bytes[index..<(index + Int(length))], as: UTF8.self)
                index += Int(length)
            case (_, 0): _ = varint()
            case (_, 1): index += 8
            case (_, 5): index += 4
            case (_, 2): index += Int(min(varint() ?? 0, UInt64(bytes.count)))
            default: index = bytes.count
            }
        }
        self.init(message: message, type: type)
    }

    /// Kitex's ErrorProto encoding.
    func errorProto() -> [UInt8] {
        var out: [UInt8] = [0x08]
        var value = UInt64(UInt32(bitPattern: type))
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        out.append(0x12)
        var length = message.utf8.count
        while length >= 0x80 {
            out.append(UInt8(length & 0x7F) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        out.append(contentsOf: message.utf8)
        return out
    }

    var callError: CallError {
        CallError(
            .applicationException, message.isEmpty ? "application exception type \(type)" : message,
            details: ["type": String(type)])
    }
}
