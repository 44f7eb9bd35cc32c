import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Tells a request that its client went away: the connection's input was closed (FIN) or the connection died.
///
/// A channel handler (``ConnectionWatchHandler``) placed after HTTP decoding sees those events; requests find the
/// watch of their connection in ``ConnectionWatches`` by channel. This keeps HTTP keep-alive working, unlike
/// Hummingbird's `consumeWithCancellationOnInboundClose`, which closes the connection after every response.
/// A client that half-closes its side after sending a request and still waits for the reply is treated as gone.
final class ConnectionWatch: Sendable {
    private struct State {
        var closed = false
        var nextID = 0
        var callbacks: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    /// Runs `callback` once when the client goes away (at once if it already has). Returns a token for
    /// ``cancel(_:)``.
    func onClose(_ callback: @escaping @Sendable () -> Void) -> Int {
        let (id, closed) = state.withLock { state -> (Int, Bool) in
            if state.closed { return (-1, true) }
            state.nextID += 1
            state.callbacks[state.nextID] = callback
            return (state.nextID, false)
        }
        if closed { callback() }
        return id
    }

    func cancel(_ id: Int) {
        _ = state.withLock { $0.callbacks.removeValue(forKey: id) }
    }

    func close() {
        let callbacks = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.closed else { return [] }
            state.closed = true
            defer { state.callbacks = [:] }
            return Array(state.callbacks.values)
        }
        for callback in callbacks { callback() }
    }
}

/// The watches of the open connections, by channel.
final class ConnectionWatches: Sendable {
    private let watches = Mutex<[ObjectIdentifier: ConnectionWatch]>([:])

    func add(_ channel: any Channel, _ watch: ConnectionWatch) {
        watches.withLock { $0[ObjectIdentifier(channel)] = watch }
    }

    func remove(_ channel: any Channel) {
        _ = watches.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func watch(for channel: any Channel) -> ConnectionWatch? {
        watches.withLock { $0[ObjectIdentifier(channel)] }
    }
}

/// Watches one connection for its client going away.
final class ConnectionWatchHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let watches: ConnectionWatches
    private let watch = ConnectionWatch()

    init(watches: ConnectionWatches) { self.watches = watches }

    func handlerAdded(context: ChannelHandlerContext) {
        watches.add(context.channel, watch)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watch.close()
        watches.remove(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { watch.close() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.close()
        watches.remove(context.channel)
        context.fireChannelInactive()
    }
}
