import NIOHPACK

/// One call on a ``GRPCLoopConnection``: its observer and what has arrived so far.
final class GRPCLoopStream {
    enum Phase {
        /// Nothing received yet: the next HEADERS carry the initial metadata, or the whole answer (trailers only).
        case awaitingHeaders
        /// Initial metadata received: DATA carries messages, the next HEADERS are the trailers.
        case receivingMessages
    }

    let id: Int32
    let observer: any GRPCCallObserver
    var reader: GRPCMessageReader
    var phase = Phase.awaitingHeaders
    /// The `grpc-encoding` of the reply, if the server named one.
    var encoding: String?
    /// Our HEADERS left the HTTP/2 state machine (the stream exists on the wire): from here on the request may
    /// have reached the server.
    var opened = false
    /// The request side has ended (END_STREAM sent): a unary call's at once, a streaming call's when it says so.
    var sendingFinished = false
    /// The caller cannot take replies now: the stream's receive window is not refilled, so the server stops
    /// sending once it is used (flow control is the backpressure).
    var repliesPaused = false
    /// The receive window last reported while paused: what a resume refills from.
    var windowWhilePaused: Int?

    init(id: Int32, observer: any GRPCCallObserver, maximumMessageLength: Int) {
        self.id = id
        self.observer = observer
        self.reader = GRPCMessageReader(maximumLength: maximumMessageLength)
    }
}

/// Reading a reply's HEADERS: metadata for the observer and the outcome of trailers.
enum GRPCReplyHead {
    /// Names that are the transport's, not the application's metadata.
    static func isTransport(_ name: String) -> Bool {
        if name.hasPrefix(":") { return true }
        switch name {
        case "content-type", "grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding",
            "grpc-accept-encoding":
            return true
        default:
            return false
        }
    }

    /// The application metadata of a HEADERS frame (`-bin` values stay base64, as they travel).
    static func metadata(_ headers: HPACKHeaders) -> [RPCHeader] {
        var metadata: [RPCHeader] = []
        for (name, value, _) in headers where !isTransport(name) {
            metadata.append(RPCHeader(name, value))
        }
        return metadata
    }

    /// Whether a content-type is gRPC's (`application/grpc`, optionally `+proto` or another suffix, or with
    /// parameters).
    static func isGRPC(contentType: String?) -> Bool {
        guard let contentType, contentType.hasPrefix("application/grpc") else { return false }
        let rest = contentType.utf8.dropFirst(16)
        return rest.isEmpty || rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: ";")
    }

    /// The outcome carried by the final HEADERS: trailing metadata for grpc-status 0, the error otherwise.
    /// `trailersOnly` marks an answer made of one HEADERS frame, whose HTTP status counts when grpc-status is
    /// missing.
    static func outcome(trailers: HPACKHeaders, trailersOnly: Bool) -> Result<[RPCHeader], CallError> {
        guard let statusText = trailers.first(name: "grpc-status") else {
            if trailersOnly, let http = trailers.first(name: ":status").flatMap({ Int($0) }), http != 200 {
                return .failure(httpFailure(http))
            }
            return .failure(CallError(.grpc(.unknown), "the reply ended without a grpc-status"))
        }
        let status = Int(statusText).flatMap { GRPCStatus(rawValue: $0) } ?? .unknown
        if status == .ok { return .success(metadata(trailers)) }
        var details: [String: String] = [:]
        if let statusDetails = trailers.first(name: "grpc-status-details-bin") {
            details["status_details_bin"] = statusDetails
        }
        let message = trailers.first(name: "grpc-message").map(GRPCStatusMapping.percentDecoded) ?? ""
        return .failure(CallError(.grpc(status), message, details: details))
    }

    /// An HTTP status that is not 200 and came without a gRPC status (a proxy or a non-gRPC server).
    static func httpFailure(_ httpStatus: Int) -> CallError {
        CallError(
            .grpc(GRPCStatusMapping.status(httpStatus: httpStatus)),
            "the server answered HTTP \(httpStatus) without a gRPC status", details: ["http_status": "\(httpStatus)"])
    }
}
