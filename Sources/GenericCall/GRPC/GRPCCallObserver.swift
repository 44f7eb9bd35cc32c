package import NIOCore

/// Receives what happens to one call started with
/// ``GRPCLoopConnection/startCall(path:metadata:timeout:message:observer:)``, always on the connection's event loop.
package protocol GRPCCallObserver: AnyObject {
    /// The server's initial metadata (skipped when the server answers with trailers only).
    func received(headers: [RPCHeader])
    /// One reply message, without its 5-byte prefix; a message split over several DATA frames arrives whole.
    func received(message: ByteBuffer)
    /// Exactly once, last: the trailing metadata when grpc-status is 0, otherwise the failure.
    func finished(_ result: Result<[RPCHeader], GRPCCallFailure>)
}

/// A failed call, classified per shared/specs/errors.md, and whether the request may have reached the server.
package struct GRPCCallFailure: Error {
    package var error: CallError
    /// False only when the stream never started (the connection failed first, or a GOAWAY refused our stream id):
    /// such a call can be retried anywhere without risk of running twice.
    package var requestSent: Bool

    package init(error: CallError, requestSent: Bool) {
        self.error = error
        self.requestSent = requestSent
    }
}

/// Cancels one call.
package struct GRPCCallHandle {
    let connection: GRPCLoopConnection?
    let streamID: Int32

    /// Resets the stream with RST_STREAM(CANCEL) if it is still open; the observer gets no more callbacks.
    /// Call on the connection's event loop; a call that has already finished is left alone.
    package func cancel() {
        connection?.cancel(streamID: streamID)
    }

    /// Sends one request message of a streaming call; false when the call has ended (or never started).
    @discardableResult
    package func send(_ message: ByteBuffer) -> Bool {
        connection?.send(streamID: streamID, message: message) ?? false
    }

    /// Ends the request side of a streaming call.
    package func finishSending() {
        connection?.finishSending(streamID: streamID)
    }

    /// Whether the connection takes more bytes now.
    package var isWritable: Bool { connection?.isWritable ?? false }

    /// Stops (true) or restarts refilling the reply's flow-control window: the server stops sending once the
    /// window is used, until the caller can take replies again.
    package func pauseReplies(_ paused: Bool) {
        connection?.setRepliesPaused(streamID: streamID, paused)
    }
}
