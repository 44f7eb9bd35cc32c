import GRPCCore

/// Passes encoded Protobuf messages through grpc-swift untouched: Portico's messages are bytes, never generated
/// types.
struct RawMessageSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

struct RawMessageDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

extension GRPCStatus {
    init(_ code: RPCError.Code) {
        self = GRPCStatus(rawValue: code.rawValue) ?? .unknown
    }
}

extension Metadata {
    /// String entries as headers (binary `-bin` entries as base64, as they travel).
    var headers: [RPCHeader] {
        map { entry in
            switch entry.value {
            case .string(let text): RPCHeader(entry.key, text)
            case .binary: RPCHeader(entry.key, entry.value.encoded())
            }
        }
    }
}
