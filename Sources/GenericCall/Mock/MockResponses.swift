public import DynamicCodec
import Foundation

/// What the mock server answers for one method, from the responses file:
///
/// ```json
/// { "GetBook": {"reply": {"id": 1, "title": "Dune"}},
///   "DeleteBook": {"exception": "notFound", "value": {"message": "no such book"}},
///   "Flaky": {"application_exception": {"type": 6, "message": "boom"}},
///   "ListBooks": {"replies": [{"id": 1}, {"id": 2}]},
///   "Private": {"grpc_status": {"code": 7, "message": "denied"}},
///   "Risky": {"biz_status": 4001, "biz_message": "quota exceeded"} }
/// ```
/// `reply` is the Thrift success value or the Protobuf reply message in JSON; `exception` names a declared
/// Thrift exception by its field name in the `throws` clause; `replies` feeds a server-streaming gRPC method.
/// Methods not listed answer a default value of their reply type.
public struct MockResponse: Sendable {
    public enum Kind: Sendable {
        case reply([UInt8])
        case replies([[UInt8]])
        case exception(field: String, value: [UInt8])
        case applicationException(TApplicationException)
        case grpcStatus(code: Int, message: String)
        case business(status: String, message: String)
        /// gRPC only: each request message back as a reply (bidirectional and unary calls); a client-streaming
        /// call gets all its request messages concatenated, which for Protobuf is their merge.
        case echo
    }

    public var kind: Kind
    public init(_ kind: Kind) { self.kind = kind }
}

/// The responses file: method name to ``MockResponse``.
public struct MockResponses: Sendable {
    public var byMethod: [String: MockResponse]

    public init(_ byMethod: [String: MockResponse] = [:]) {
        self.byMethod = byMethod
    }

    /// Parses the responses JSON; errors name the method and key.
    public init(json: [UInt8]) throws(CallError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])
        } catch {
            throw CallError(.invalidJSON, "the responses file is not JSON: \(error.localizedDescription)")
        }
        guard let methods = object as? [String: Any] else {
            throw CallError(.invalidArgument, "the responses file must be an object keyed by method name")
        }
        var byMethod: [String: MockResponse] = [:]
        for (method, entry) in methods {
            guard let entry = entry as? [String: Any] else {
                throw CallError(.invalidArgument, "responses[\(method)] must be an object")
            }
            func text(_ value: Any) throws(CallError) -> [UInt8] {
                do {
                    return Array(try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]))
                } catch {
                    throw CallError(.invalidArgument, "responses[\(method)]: \(error.localizedDescription)")
                }
            }
            if entry["echo"] as? Bool == true {
                byMethod[method] = MockResponse(.echo)
            } else if let reply = entry["reply"] {
                byMethod[method] = MockResponse(.reply(try text(reply)))
            } else if let replies = entry["replies"] as? [Any] {
                var encoded: [[UInt8]] = []
                for reply in replies { encoded.append(try text(reply)) }
                byMethod[method] = MockResponse(.replies(encoded))
            } else if let field = entry["exception"] as? String {
                byMethod[method] = MockResponse(.exception(field: field, value: try text(entry["value"] ?? [String: Any]())))
            } else if let exception = entry["application_exception"] as? [String: Any] {
                byMethod[method] = MockResponse(.applicationException(TApplicationException(
                    message: exception["message"] as? String ?? "", type: Int32(exception["type"] as? Int ?? 0))))
            } else if let status = entry["grpc_status"] as? [String: Any] {
                byMethod[method] = MockResponse(.grpcStatus(
                    code: status["code"] as? Int ?? 2, message: status["message"] as? String ?? ""))
            } else if let status = entry["biz_status"] {
                byMethod[method] = MockResponse(.business(
                    status: "\(status)", message: entry["biz_message"] as? String ?? ""))
            } else {
                throw CallError(
                    .invalidArgument, "responses[\(method)] needs one of reply, replies, echo, exception, "
                        + "application_exception, grpc_status, biz_status")
            }
        }
        self.byMethod = byMethod
    }
}
