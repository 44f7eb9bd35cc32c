public import AsyncHTTPClient
import NIOCore

extension EventSourceClient {
    /// The process-wide HTTP client event sources use unless given one, set up for long-lived streams: a failed
    /// connect fails the attempt at once (the event source's own backoff decides when to try again, rather than
    /// AsyncHTTPClient retrying inside one attempt), connects time out after 10 s, and a connection that brings no
    /// byte for 2 minutes counts as dropped (servers that send keep-alive comments never get there). Redirects are
    /// followed, up to 10.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10), read: .minutes(2))
        configuration.redirectConfiguration = .follow(max: 10, allowCycles: false)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
