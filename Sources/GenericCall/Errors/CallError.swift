import DynamicCodec

/// A failure a caller of an RPC can see, with the stable code and HTTP status of shared/specs/errors.md.
public struct CallError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: CallErrorCode
    public var message: String
    /// Extra facts for the JSON body: attempts, the last error code, exception names, gRPC status...
    public var details: [String: String]

    public init(_ code: CallErrorCode, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var httpStatus: Int { code.httpStatus }

    public var description: String { "\(code.name): \(message)" }

    /// `{"code": ..., "message": ..., "details": {...}}`, keys sorted so the output is stable. gRPC statuses also
    /// carry `grpc_status` (name) and `grpc_code` (number) for google.rpc.Status readers.
    public func json() -> String {
        var details = self.details
        if let grpc = code.grpcStatus {
            details["grpc_status"] = grpc.name
            details["grpc_code"] = String(grpc.rawValue)
        }
        var text = "{\"code\":" + Self.quote(code.name) + ",\"message\":" + Self.quote(message)
        if !details.isEmpty {
            text += ",\"details\":{"
            text += details.keys.sorted().map { Self.quote($0) + ":" + Self.quote(details[$0]!) }.joined(separator: ",")
            text += "}"
        }
        return text + "}"
    }

    static func quote(_ text: String) -> String { JSONString.quoted(text) }

}

/// The codes of the error taxonomy, each with its HTTP status.
public enum CallErrorCode: Sendable, Hashable {
    case invalidJSON, invalidArgument, missingRequiredField, unknownField
    case routeNotFound, methodNotFound, payloadTooLarge, unauthenticated, permissionDenied
    case rpcTimeout, timeoutByCaller, cancelledByCaller, connectTimeout, unavailable, backendClosed, badBackendReply
    case applicationException, declaredException(httpStatus: Int), businessError(httpStatus: Int)
    case grpc(GRPCStatus)
    case retryExhausted(last: CallErrorCodeBox)

    public var name: String {
        switch self {
        case .invalidJSON: "INVALID_JSON"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .missingRequiredField: "MISSING_REQUIRED_FIELD"
        case .unknownField: "UNKNOWN_FIELD"
        case .routeNotFound: "ROUTE_NOT_FOUND"
        case .methodNotFound: "METHOD_NOT_FOUND"
        case .payloadTooLarge: "PAYLOAD_TOO_LARGE"
        case .unauthenticated: "UNAUTHENTICATED"
        case .permissionDenied: "PERMISSION_DENIED"
        case .rpcTimeout: "RPC_TIMEOUT"
        case .timeoutByCaller: "TIMEOUT_BY_CALLER"
        case .cancelledByCaller: "CANCELLED_BY_CALLER"
        case .connectTimeout: "CONNECT_TIMEOUT"
        case .unavailable: "UNAVAILABLE"
        case .backendClosed: "BACKEND_CLOSED"
        case .badBackendReply: "BAD_BACKEND_REPLY"
        case .applicationException: "APPLICATION_EXCEPTION"
        case .declaredException: "DECLARED_EXCEPTION"
        case .businessError: "BUSINESS_ERROR"
        case .grpc(let status): status.name
        case .retryExhausted: "RETRY_EXHAUSTED"
        }
    }

    public var httpStatus: Int {
        switch self {
        case .invalidJSON, .invalidArgument, .missingRequiredField, .unknownField: 400
        case .routeNotFound, .methodNotFound: 404
        case .payloadTooLarge: 413
        case .unauthenticated: 401
        case .permissionDenied: 403
        case .rpcTimeout, .timeoutByCaller: 504
        case .cancelledByCaller: 499
        case .connectTimeout, .unavailable: 503
        case .backendClosed, .badBackendReply: 502
        case .applicationException: 500
        case .declaredException(let status), .businessError(let status): status
        case .grpc(let status): status.httpStatus
        case .retryExhausted(let last): last.code.httpStatus
        }
    }

    var grpcStatus: GRPCStatus? {
        if case .grpc(let status) = self { return status }
        return nil
    }
}

/// Boxes a code inside another (RETRY_EXHAUSTED keeps the last attempt's code).
public final class CallErrorCodeBox: Sendable, Hashable {
    public let code: CallErrorCode
    public init(_ code: CallErrorCode) { self.code = code }
    public static func == (lhs: CallErrorCodeBox, rhs: CallErrorCodeBox) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// gRPC status codes with their names and the HTTP statuses of errors.md.
public enum GRPCStatus: Int, Sendable, Hashable, CaseIterable {
    case ok = 0, cancelled, unknown, invalidArgument, deadlineExceeded, notFound, alreadyExists, permissionDenied
    case resourceExhausted, failedPrecondition, aborted, outOfRange, unimplemented, `internal`, unavailable, dataLoss
    case unauthenticated

    public var name: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }

    public var httpStatus: Int {
        switch self {
        case .ok: 200
        case .cancelled: 499
        case .unknown, .internal, .dataLoss: 500
        case .invalidArgument, .failedPrecondition, .outOfRange: 400
        case .deadlineExceeded: 504
        case .notFound: 404
        case .alreadyExists, .aborted: 409
        case .permissionDenied: 403
        case .resourceExhausted: 429
        case .unimplemented: 501
        case .unavailable: 503
        case .unauthenticated: 401
        }
    }
}
