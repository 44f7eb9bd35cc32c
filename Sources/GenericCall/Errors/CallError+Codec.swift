public import DynamicCodec

extension CallError {
    /// The taxonomy's view of a codec error: request problems are 400s (INVALID_JSON, INVALID_ARGUMENT,
    /// MISSING_REQUIRED_FIELD, UNKNOWN_FIELD), routing problems 404s, undecodable replies BAD_BACKEND_REPLY.
    /// The byte offset and field path go to the details.
    public init(_ error: CodecError, reply: Bool = false) {
        var details: [String: String] = ["codec_code": error.code.rawValue]
        if let offset = error.offset { details["offset"] = String(offset) }
        if let path = error.path { details["field"] = path }
        let code: CallErrorCode
        if reply {
            code = .badBackendReply
        } else {
            switch error.code {
            case .invalidJSON: code = .invalidJSON
            case .missingRequiredField: code = .missingRequiredField
            case .unknownField: code = .unknownField
            case .routeNotFound: code = .routeNotFound
            case .methodNotFound: code = .methodNotFound
            case .badBackendReply: code = .badBackendReply
            case .sizeLimitExceeded: code = .payloadTooLarge
            default: code = .invalidArgument
            }
        }
        self.init(code, error.message, details: details)
    }
}
