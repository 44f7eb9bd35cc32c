import DynamicCodec
import NIOCore
import NIOHPACK
import NIOHTTP2

/// The gRPC mock's answer to every method of its service, encoded once at start: a call then costs a dictionary
/// look-up and a few frames.
struct MockGRPCAnswers: Sendable {
    enum Answer: Sendable {
        /// The reply messages, each with its 5-byte prefix, in one buffer written as it is.
        case messages(ByteBuffer)
        case status(GRPCStatus, String)
        /// Each request message back (see ``MockResponse/Kind/echo``).
        case echo
    }

    /// `/package.Service/` : calls to other paths are UNIMPLEMENTED.
    let pathPrefix: String
    let byMethod: [String: Answer]
    /// Methods whose request is a stream (client-streaming and bidirectional).
    let streamingRequests: Set<String>
    /// Methods whose reply is a stream too (bidirectional among ``streamingRequests``).
    let streamingReplies: Set<String>

    init(responder: MockResponder, service: ProtoServiceDescriptor) {
        pathPrefix = "/\(service.fullName)/"
        var byMethod: [String: Answer] = [:]
        streamingRequests = Set(service.methods.filter(\.clientStreaming).map(\.name))
        streamingReplies = Set(service.methods.filter(\.serverStreaming).map(\.name))
        for method in service.methods {
            do {
                switch try responder.answer(method: method.name) {
                case .payload(let messages):
                    var buffer = ByteBuffer()
                    for message in messages {
                        buffer.writeInteger(UInt8(0))
                        buffer.writeInteger(UInt32(message.count))
                        buffer.writeBytes(message)
                    }
                    byMethod[method.name] = .messages(buffer)
                case .grpcStatus(let code, let message):
                    byMethod[method.name] = .status(GRPCStatus(rawValue: code) ?? .unknown, message)
                case .applicationException(let exception):
                    byMethod[method.name] = .status(.internal, exception.message)
                case .business(_, let message, _):
                    byMethod[method.name] = .status(.failedPrecondition, message)
                case .echo:
                    byMethod[method.name] = .echo
                }
            } catch {
                byMethod[method.name] = .status(.unknown, "\(error)")
            }
        }
        self.byMethod = byMethod
    }

    /// The method a `:path` names, if it is one of the service's.
    func method(path: String) -> String? {
        guard path.hasPrefix(pathPrefix) else { return nil }
        let method = String(path.dropFirst(pathPrefix.count))
        return byMethod[method] == nil ? nil : method
    }

    /// A message with its 5-byte gRPC prefix.
    static func prefixed(_ message: ByteBuffer) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(5 + message.readableBytes)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.readableBytes))
        buffer.writeImmutableBuffer(message)
        return buffer
    }

    static let responseHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
    static let okTrailers: HPACKHeaders = ["grpc-status": "0"]

    /// Trailers after response headers: grpc-status and grpc-message.
    static func trailers(_ status: GRPCStatus, _ message: String) -> HPACKHeaders {
        var headers: HPACKHeaders = ["grpc-status": String(status.rawValue)]
        if !message.isEmpty { headers.add(name: "grpc-message", value: GRPCStatusMapping.percentEncoded(message)) }
        return headers
    }

    /// A status with no message (trailers only): `:status`, content-type, grpc-status and grpc-message.
    static func trailersOnly(_ status: GRPCStatus, _ message: String) -> HPACKHeaders {
        var headers = responseHeaders
        headers.add(name: "grpc-status", value: String(status.rawValue))
        if !message.isEmpty { headers.add(name: "grpc-message", value: GRPCStatusMapping.percentEncoded(message)) }
        return headers
    }

    /// The mock's HTTP/2 settings: up to 1,000 concurrent calls per connection, 1 MiB stream and 8 MiB connection
    /// windows, and the frame limits of ``GRPCFrameLimits/backend`` (a gateway in front cancels calls at the rate
    /// its callers give up, which the library's defaults would take for an attack).
    static let handlerConfiguration: NIOHTTP2Handler.Configuration = {
        var configuration = GRPCLoopConfiguration().handlerConfiguration
        configuration.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .initialWindowSize, value: streamWindowSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 64 * 1024),
        ]
        return configuration
    }()

    static let maxConcurrentStreams = 1_000
    static let streamWindowSize = GRPCLoopConfiguration().streamWindowSize
    static let connectionWindowSize = GRPCLoopConfiguration().connectionWindowSize
    /// Requests larger than this are refused with RESOURCE_EXHAUSTED.
    static let maximumRequestLength = 16 * 1024 * 1024
}
