import Hummingbird
import NIOCore

/// The request context: Hummingbird's basics plus the connection's channel, to find its ``ConnectionWatch``.
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: (any Channel)?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}
