package import NIOCore
import NIOHTTP2

/// Settings of a ``GRPCLoopConnection``: message and header limits, flow-control windows, and how much of what a
/// server may send is tolerated before the connection is closed.
package struct GRPCLoopConfiguration: Sendable {
    /// A reply message announcing more bytes fails its call with RESOURCE_EXHAUSTED (grpc-go's and grpc-java's
    /// default limit is 4 MiB; ours is larger because a gateway passes through what its backends send).
    package var maximumMessageLength = 16 * 1024 * 1024
    /// SETTINGS_MAX_HEADER_LIST_SIZE we announce: the largest initial or trailing metadata we accept.
    package var maximumHeaderListSize = 64 * 1024
    /// The receive window of each stream (SETTINGS_INITIAL_WINDOW_SIZE) and of the whole connection. Replies are
    /// consumed as they arrive, so the windows are refilled at once; large windows only spare round trips.
    package var streamWindowSize = 1024 * 1024
    package var connectionWindowSize = 8 * 1024 * 1024
    package var frameLimits = GRPCFrameLimits.backend
    /// TLS for the connection (nil: plaintext HTTP/2 with prior knowledge).
    package var tls: GRPCTLSContext?

    package init() {}
}

/// The denial-of-service limits of swift-nio-http2's `NIOHTTP2Handler`, which close the connection with
/// GOAWAY(ENHANCE_YOUR_CALM) when exceeded.
///
/// The library's defaults protect a server from hostile clients: 200 RST_STREAM frames and 200 control frames
/// (PING, SETTINGS, PRIORITY...) per 30 s, 200 stream errors per 30 s and 200 per connection lifetime, 32
/// recently reset streams remembered. A healthy gRPC server goes past them within seconds under load: grpc-go
/// sends a bandwidth-estimation PING each time DATA arrives while no earlier one is unanswered (one per round
/// trip, for as long as traffic flows) and a SETTINGS frame as its window grows, and it sends RST_STREAM(NO_ERROR)
/// after the trailers of every reply that finished before the request's END_STREAM was read. Hence
/// ``backend``, for connections we open to our own configured backends.
package struct GRPCFrameLimits: Sendable, Hashable {
    /// RST_STREAM frames received within ``window``.
    package var resetFrames: Int
    /// PING, SETTINGS, PRIORITY, ALTSVC and ORIGIN frames received within ``window``.
    package var controlFrames: Int
    /// Stream errors (frames a stream could not accept) within ``window``.
    package var streamErrors: Int
    package var window: TimeAmount
    /// Stream errors over the connection's lifetime ("glitches").
    package var lifetimeStreamErrors: Int
    /// How many streams we reset are remembered, so frames the server sent before it saw our RST_STREAM are
    /// ignored. A DATA frame on a reset stream no longer remembered is a connection error (STREAM_CLOSED).
    package var recentlyResetStreams: Int
    /// Empty DATA frames in a row without END_STREAM.
    package var sequentialEmptyDataFrames: Int

    /// For our own backends: 5,000 frames of each kind per 50 ms (100,000 a second), far above what a real server
    /// sends one connection (at most one RST_STREAM per stream we open and one PING per round trip, both bounded by
    /// the rate at which one event loop starts calls), yet a flood is still cut off within 50 ms. The library
    /// keeps the timestamps of one window in a buffer allocated at full size, so the window is kept short: three
    /// buffers of 40 KB per connection. 4,096 remembered resets cover every stream in flight cancelled at once
    /// (servers allow 100 to 1,000 concurrent streams); stream errors get the same budget, never a lifetime cap
    /// that a long-lived connection would reach; 16 empty DATA frames tolerate servers that flush empty frames.
    package static let backend = GRPCFrameLimits(
        resetFrames: 5_000, controlFrames: 5_000, streamErrors: 5_000, window: .milliseconds(50),
        lifetimeStreamErrors: Int.max, recentlyResetStreams: 4_096, sequentialEmptyDataFrames: 16)

    /// swift-nio-http2 1.46.0's defaults, meant for servers facing the internet (kept to show what they break).
    package static let library = GRPCFrameLimits(
        resetFrames: 200, controlFrames: 200, streamErrors: 200, window: .seconds(30), lifetimeStreamErrors: 200,
        recentlyResetStreams: 32, sequentialEmptyDataFrames: 1)

    package init(
        resetFrames: Int, controlFrames: Int, streamErrors: Int, window: TimeAmount, lifetimeStreamErrors: Int,
        recentlyResetStreams: Int, sequentialEmptyDataFrames: Int
    ) {
        self.resetFrames = resetFrames
        self.controlFrames = controlFrames
        self.streamErrors = streamErrors
        self.window = window
        self.lifetimeStreamErrors = lifetimeStreamErrors
        self.recentlyResetStreams = recentlyResetStreams
        self.sequentialEmptyDataFrames = sequentialEmptyDataFrames
    }
}

extension GRPCLoopConfiguration {
    /// The handler's configuration: our SETTINGS (no server push, our windows and header limit) and the limits.
    var handlerConfiguration: NIOHTTP2Handler.Configuration {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .enablePush, value: 0),
            HTTP2Setting(parameter: .initialWindowSize, value: streamWindowSize),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maximumHeaderListSize),
        ]
        connection.targetWindowSize = connectionWindowSize
        connection.maximumSequentialEmptyDataFrames = frameLimits.sequentialEmptyDataFrames
        connection.maximumRecentlyResetStreams = frameLimits.recentlyResetStreams
        connection.maximumConnectionGlitches = frameLimits.lifetimeStreamErrors
        connection.controlFrameRateLimit.maximumCount = frameLimits.controlFrames
        connection.controlFrameRateLimit.windowLength = frameLimits.window
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = streamWindowSize
        stream.streamResetFrameRateLimit.maximumCount = frameLimits.resetFrames
        stream.streamResetFrameRateLimit.windowLength = frameLimits.window
        stream.streamErrorRateLimit.maximumCount = frameLimits.streamErrors
        stream.streamErrorRateLimit.windowLength = frameLimits.window
        return NIOHTTP2Handler.Configuration(connection: connection, stream: stream)
    }
}

/// Receive-window refills shared by our client and server: a peer's data is consumed as it arrives, so a window
/// half used is opened back to its full size.
enum HTTP2WindowRefill {
    static func increment(inbound: Int, target: Int) -> Int? {
        inbound <= target / 2 ? target - inbound : nil
    }
}
